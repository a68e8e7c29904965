"""The catalogue of kinds homelabctl knows: how to list them, how the API server names them.

Checks name kinds by group-kind string (``Pod``, ``Deployment.apps``, ``HelmRelease.helm.toolkit.fluxcd.io``).
The live source, the capture command and the snapshot server all read this table, so a kind a check needs
is listed, captured and served the same way everywhere.
"""

from __future__ import annotations

import msgspec


class KindInfo(msgspec.Struct, frozen=True):
    kind: str
    group: str
    version: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    singular: str = ""
    crd: bool = False
    """True when the kind comes from a CRD: absent CRD means "not installed", not "empty"."""
    old_versions: tuple[str, ...] = ()
    """Versions the API may still serve (listed when the preferred one is absent)."""

    @property
    def gk(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def resource_name(self) -> str:
        """``pods``, ``deployments.apps``: what `kubectl get` and RBAC call it."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def singular_name(self) -> str:
        return self.singular or self.kind.lower()


def _k(
    kind: str,
    group: str,
    version: str,
    plural: str,
    namespaced: bool,
    *short: str,
    crd: bool = False,
    old: tuple[str, ...] = (),
) -> KindInfo:
    return KindInfo(kind, group, version, plural, namespaced, tuple(short), crd=crd, old_versions=old)


FLUX_KS = "kustomize.toolkit.fluxcd.io"
FLUX_HELM = "helm.toolkit.fluxcd.io"
FLUX_SOURCE = "source.toolkit.fluxcd.io"
CERT_MANAGER = "cert-manager.io"
GATEWAY = "gateway.networking.k8s.io"
VELERO = "velero.io"
LONGHORN = "longhorn.io"
CILIUM = "cilium.io"
KYVERNO = "kyverno.io"
EXTERNAL_SECRETS = "external-secrets.io"
SEALED_SECRETS = "bitnami.com"

KINDS: tuple[KindInfo, ...] = (
    # core
    _k("Namespace", "", "v1", "namespaces", False, "ns"),
    _k("Node", "", "v1", "nodes", False, "no"),
    _k("Pod", "", "v1", "pods", True, "po"),
    _k("Service", "", "v1", "services", True, "svc"),
    _k("Endpoints", "", "v1", "endpoints", True, "ep"),
    _k("ConfigMap", "", "v1", "configmaps", True, "cm"),
    _k("Secret", "", "v1", "secrets", True),
    _k("PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", True, "pvc"),
    _k("PersistentVolume", "", "v1", "persistentvolumes", False, "pv"),
    _k("Event", "", "v1", "events", True, "ev"),
    _k("ResourceQuota", "", "v1", "resourcequotas", True, "quota"),
    _k("LimitRange", "", "v1", "limitranges", True, "limits"),
    _k("ServiceAccount", "", "v1", "serviceaccounts", True, "sa"),
    # apps, batch
    _k("Deployment", "apps", "v1", "deployments", True, "deploy"),
    _k("ReplicaSet", "apps", "v1", "replicasets", True, "rs"),
    _k("StatefulSet", "apps", "v1", "statefulsets", True, "sts"),
    _k("DaemonSet", "apps", "v1", "daemonsets", True, "ds"),
    _k("Job", "batch", "v1", "jobs", True),
    _k("CronJob", "batch", "v1", "cronjobs", True, "cj"),
    # storage, scheduling, networking, apiextensions
    _k("StorageClass", "storage.k8s.io", "v1", "storageclasses", False, "sc"),
    _k("CSIDriver", "storage.k8s.io", "v1", "csidrivers", False),
    _k("CSINode", "storage.k8s.io", "v1", "csinodes", False),
    _k("VolumeAttachment", "storage.k8s.io", "v1", "volumeattachments", False),
    _k("PriorityClass", "scheduling.k8s.io", "v1", "priorityclasses", False, "pc"),
    _k("PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", True, "pdb"),
    _k("Ingress", "networking.k8s.io", "v1", "ingresses", True, "ing"),
    _k("IngressClass", "networking.k8s.io", "v1", "ingressclasses", False),
    _k("RuntimeClass", "node.k8s.io", "v1", "runtimeclasses", False),
    _k("NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", True, "netpol"),
    _k("EndpointSlice", "discovery.k8s.io", "v1", "endpointslices", True),
    _k(
        "ValidatingWebhookConfiguration",
        "admissionregistration.k8s.io",
        "v1",
        "validatingwebhookconfigurations",
        False,
    ),
    _k(
        "MutatingWebhookConfiguration",
        "admissionregistration.k8s.io",
        "v1",
        "mutatingwebhookconfigurations",
        False,
    ),
    _k(
        "CustomResourceDefinition",
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        False,
        "crd",
        "crds",
    ),
    # Flux
    _k("Kustomization", FLUX_KS, "v1", "kustomizations", True, "ks", crd=True, old=("v1beta2", "v1beta1")),
    _k("HelmRelease", FLUX_HELM, "v2", "helmreleases", True, "hr", crd=True, old=("v2beta2", "v2beta1")),
    _k(
        "GitRepository",
        FLUX_SOURCE,
        "v1",
        "gitrepositories",
        True,
        "gitrepo",
        crd=True,
        old=("v1beta2", "v1beta1"),
    ),
    _k(
        "HelmRepository",
        FLUX_SOURCE,
        "v1",
        "helmrepositories",
        True,
        "helmrepo",
        crd=True,
        old=("v1beta2", "v1beta1"),
    ),
    _k("OCIRepository", FLUX_SOURCE, "v1beta2", "ocirepositories", True, "ocirepo", crd=True),
    _k("HelmChart", FLUX_SOURCE, "v1", "helmcharts", True, "hc", crd=True, old=("v1beta2",)),
    _k("Bucket", FLUX_SOURCE, "v1", "buckets", True, crd=True, old=("v1beta2",)),
    # cert-manager
    _k("Certificate", CERT_MANAGER, "v1", "certificates", True, "cert", "certs", crd=True),
    _k("Issuer", CERT_MANAGER, "v1", "issuers", True, crd=True),
    _k("ClusterIssuer", CERT_MANAGER, "v1", "clusterissuers", False, crd=True),
    _k("CertificateRequest", CERT_MANAGER, "v1", "certificaterequests", True, "cr", "crs", crd=True),
    _k("Order", "acme.cert-manager.io", "v1", "orders", True, crd=True),
    _k("Challenge", "acme.cert-manager.io", "v1", "challenges", True, crd=True),
    # Gateway API
    _k("GatewayClass", GATEWAY, "v1", "gatewayclasses", False, "gc", crd=True),
    _k("Gateway", GATEWAY, "v1", "gateways", True, "gtw", crd=True),
    _k("HTTPRoute", GATEWAY, "v1", "httproutes", True, crd=True),
    _k("GRPCRoute", GATEWAY, "v1", "grpcroutes", True, crd=True),
    _k("ReferenceGrant", GATEWAY, "v1beta1", "referencegrants", True, "refgrant", crd=True),
    # Velero
    _k("BackupStorageLocation", VELERO, "v1", "backupstoragelocations", True, "bsl", crd=True),
    _k("VolumeSnapshotLocation", VELERO, "v1", "volumesnapshotlocations", True, "vsl", crd=True),
    _k("Schedule", VELERO, "v1", "schedules", True, crd=True),
    _k("Backup", VELERO, "v1", "backups", True, crd=True),
    # Longhorn
    _k("Volume", LONGHORN, "v1beta2", "volumes", True, "lhv", crd=True),
    _k("Node", LONGHORN, "v1beta2", "nodes", True, "lhn", crd=True),
    _k("Setting", LONGHORN, "v1beta2", "settings", True, "lhs", crd=True),
    _k("Replica", LONGHORN, "v1beta2", "replicas", True, "lhr", crd=True),
    _k("Engine", LONGHORN, "v1beta2", "engines", True, "lhe", crd=True),
    # Cilium
    _k("CiliumBGPPeeringPolicy", CILIUM, "v2alpha1", "ciliumbgppeeringpolicies", False, "bgpp", crd=True),
    _k(
        "CiliumBGPClusterConfig",
        CILIUM,
        "v2alpha1",
        "ciliumbgpclusterconfigs",
        False,
        "cbgpcluster",
        crd=True,
    ),
    _k(
        "CiliumLoadBalancerIPPool",
        CILIUM,
        "v2alpha1",
        "ciliumloadbalancerippools",
        False,
        "ippools",
        "ippool",
        "lbippool",
        crd=True,
    ),
    _k("CiliumNode", CILIUM, "v2", "ciliumnodes", False, "cn", "ciliumn", crd=True),
    # Bitnami Sealed Secrets
    _k("SealedSecret", SEALED_SECRETS, "v1alpha1", "sealedsecrets", True, "sealedsecret", crd=True),
    # External Secrets Operator (v1 since 0.17)
    _k("ExternalSecret", EXTERNAL_SECRETS, "v1", "externalsecrets", True, "es", crd=True, old=("v1beta1",)),
    _k("SecretStore", EXTERNAL_SECRETS, "v1", "secretstores", True, "ss", crd=True, old=("v1beta1",)),
    _k(
        "ClusterSecretStore",
        EXTERNAL_SECRETS,
        "v1",
        "clustersecretstores",
        False,
        "css",
        crd=True,
        old=("v1beta1",),
    ),
    # Kyverno
    _k("ClusterPolicy", KYVERNO, "v1", "clusterpolicies", False, "cpol", crd=True),
    _k("Policy", KYVERNO, "v1", "policies", True, "pol", crd=True),
    # Traefik: Ingress annotations and IngressRoutes name Middlewares; a missing one breaks the route
    _k("Middleware", "traefik.io", "v1alpha1", "middlewares", True, crd=True),
    _k("Middleware", "traefik.containo.us", "v1alpha1", "middlewares", True, crd=True),
    _k("IngressRoute", "traefik.io", "v1alpha1", "ingressroutes", True, crd=True),
    _k("IngressRoute", "traefik.containo.us", "v1alpha1", "ingressroutes", True, crd=True),
    # Monitoring
    _k("PrometheusRule", "monitoring.coreos.com", "v1", "prometheusrules", True, "promrule", crd=True),
    _k("ServiceMonitor", "monitoring.coreos.com", "v1", "servicemonitors", True, "smon", crd=True),
    _k("Prometheus", "monitoring.coreos.com", "v1", "prometheuses", True, "prom", crd=True),
    _k("Alertmanager", "monitoring.coreos.com", "v1", "alertmanagers", True, "am", crd=True),
)

BY_GK: dict[str, KindInfo] = {info.gk: info for info in KINDS}


def info_for(gk: str) -> KindInfo | None:
    return BY_GK.get(gk)


def gk_of(api_version: str, kind: str) -> str:
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    return f"{kind}.{group}" if group else kind


# Short constants checks use, so a typo is a NameError and not a silently empty list.
NAMESPACE = "Namespace"
NODE = "Node"
POD = "Pod"
SERVICE = "Service"
ENDPOINTS = "Endpoints"
CONFIGMAP = "ConfigMap"
SECRET = "Secret"
PVC = "PersistentVolumeClaim"
PV = "PersistentVolume"
EVENT = "Event"
RESOURCE_QUOTA = "ResourceQuota"
LIMIT_RANGE = "LimitRange"
TRAEFIK_MIDDLEWARES = ("Middleware.traefik.io", "Middleware.traefik.containo.us")
TRAEFIK_INGRESS_ROUTES = ("IngressRoute.traefik.io", "IngressRoute.traefik.containo.us")
DEPLOYMENT = "Deployment.apps"
REPLICASET = "ReplicaSet.apps"
STATEFULSET = "StatefulSet.apps"
DAEMONSET = "DaemonSet.apps"
JOB = "Job.batch"
CRONJOB = "CronJob.batch"
STORAGE_CLASS = "StorageClass.storage.k8s.io"
CSI_DRIVER = "CSIDriver.storage.k8s.io"
CSI_NODE = "CSINode.storage.k8s.io"
VOLUME_ATTACHMENT = "VolumeAttachment.storage.k8s.io"
PRIORITY_CLASS = "PriorityClass.scheduling.k8s.io"
POD_DISRUPTION_BUDGET = "PodDisruptionBudget.policy"
INGRESS = "Ingress.networking.k8s.io"
INGRESS_CLASS = "IngressClass.networking.k8s.io"
RUNTIME_CLASS = "RuntimeClass.node.k8s.io"
NETWORK_POLICY = "NetworkPolicy.networking.k8s.io"
ENDPOINT_SLICE = "EndpointSlice.discovery.k8s.io"
VALIDATING_WEBHOOK = "ValidatingWebhookConfiguration.admissionregistration.k8s.io"
MUTATING_WEBHOOK = "MutatingWebhookConfiguration.admissionregistration.k8s.io"
CRD = "CustomResourceDefinition.apiextensions.k8s.io"
FLUX_KUSTOMIZATION = f"Kustomization.{FLUX_KS}"
HELM_RELEASE = f"HelmRelease.{FLUX_HELM}"
GIT_REPOSITORY = f"GitRepository.{FLUX_SOURCE}"
HELM_REPOSITORY = f"HelmRepository.{FLUX_SOURCE}"
OCI_REPOSITORY = f"OCIRepository.{FLUX_SOURCE}"
HELM_CHART = f"HelmChart.{FLUX_SOURCE}"
BUCKET = f"Bucket.{FLUX_SOURCE}"
CERTIFICATE = f"Certificate.{CERT_MANAGER}"
ISSUER = f"Issuer.{CERT_MANAGER}"
CLUSTER_ISSUER = f"ClusterIssuer.{CERT_MANAGER}"
CERTIFICATE_REQUEST = f"CertificateRequest.{CERT_MANAGER}"
ACME_CHALLENGE = "Challenge.acme.cert-manager.io"
GATEWAY_CLASS = f"GatewayClass.{GATEWAY}"
GATEWAY_KIND = f"Gateway.{GATEWAY}"
HTTPROUTE = f"HTTPRoute.{GATEWAY}"
GRPCROUTE = f"GRPCRoute.{GATEWAY}"
BACKUP_STORAGE_LOCATION = f"BackupStorageLocation.{VELERO}"
VOLUME_SNAPSHOT_LOCATION = f"VolumeSnapshotLocation.{VELERO}"
VELERO_SCHEDULE = f"Schedule.{VELERO}"
VELERO_BACKUP = f"Backup.{VELERO}"
LONGHORN_VOLUME = f"Volume.{LONGHORN}"
LONGHORN_NODE = f"Node.{LONGHORN}"
LONGHORN_SETTING = f"Setting.{LONGHORN}"
LONGHORN_REPLICA = f"Replica.{LONGHORN}"
LONGHORN_ENGINE = f"Engine.{LONGHORN}"
CILIUM_BGP_PEERING_POLICY = f"CiliumBGPPeeringPolicy.{CILIUM}"
KYVERNO_CLUSTER_POLICY = f"ClusterPolicy.{KYVERNO}"
KYVERNO_POLICY = f"Policy.{KYVERNO}"
SEALED_SECRET = f"SealedSecret.{SEALED_SECRETS}"
EXTERNAL_SECRET = f"ExternalSecret.{EXTERNAL_SECRETS}"
SECRET_STORE = f"SecretStore.{EXTERNAL_SECRETS}"
CLUSTER_SECRET_STORE = f"ClusterSecretStore.{EXTERNAL_SECRETS}"
CILIUM_BGP_CLUSTER_CONFIG = f"CiliumBGPClusterConfig.{CILIUM}"
CILIUM_LB_IP_POOL = f"CiliumLoadBalancerIPPool.{CILIUM}"
PROMETHEUS = "Prometheus.monitoring.coreos.com"
ALERTMANAGER = "Alertmanager.monitoring.coreos.com"

DIAGNOSIS_KINDS = (
    LIMIT_RANGE,
    "ServiceAccount",
    "Engine.longhorn.io",
    "CiliumNode.cilium.io",
    "Order.acme.cert-manager.io",
    "ReferenceGrant.gateway.networking.k8s.io",
)
"""Kinds no check reads but the diagnosis follows (a LimitRange's injected default limit behind an OOM, the
Longhorn Engine between a Volume and its Replicas, ...). Every command that diagnoses lists them too, so a
live cluster gives the diagnosis the same objects a snapshot does; ``tests/diagnose/test_diagnosis_kinds.py``
fails when the diagnosis starts naming a kind that is neither here nor read by a check."""
