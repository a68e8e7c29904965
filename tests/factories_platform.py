"""Builders for the platform (Flux, cert-manager, Gateway API) and backup (Velero) objects of the seed
homelab, shaped as the controllers write them: Flux ``status.conditions`` with reasons and
``observedGeneration``, Kustomization inventories, HelmRelease history, cert-manager Certificate status and
CertificateRequests, ACME ClusterIssuers and Challenges, Gateway/HTTPRoute status from Cilium's gateway
controller, Velero locations, schedules and backups.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from factories import container_status, deployment, event, meta, owner_ref, pod, ts
from factories_apps import daemonset, owned_pod, replicaset
from factories_infra import pvc
from factories_infra import storage_class as make_class

REVISION = "main@sha1:3f6c0a1e9d2b47c58a0e1f2d3c4b5a69788796a5"
CHART_DIGEST = "sha256:8c1e0c2f5f1a3b6d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d"
CILIUM_CONTROLLER = "io.cilium/gateway-controller"
LETSENCRYPT = "https://acme-v02.api.letsencrypt.org/directory"


def condition(
    type_: str,
    status: str,
    reason: str,
    message: str,
    *,
    age: timedelta = timedelta(hours=2),
    generation: int = 1,
) -> dict[str, Any]:
    return {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "observedGeneration": generation,
        "lastTransitionTime": ts(age),
    }


def flux_ready(
    status: str = "True",
    reason: str = "ReconciliationSucceeded",
    message: str = "",
    *,
    age: timedelta = timedelta(hours=2),
    generation: int = 1,
) -> dict[str, Any]:
    return condition(
        "Ready", status, reason, message or f"Applied revision: {REVISION}", age=age, generation=generation
    )


# -- Flux --------------------------------------------------------------------------------------------------
def kustomization(
    name: str,
    namespace: str = "flux-system",
    *,
    path: str | None = None,
    api_version: str = "kustomize.toolkit.fluxcd.io/v1",
    ready: dict[str, Any] | None = None,
    extra_conditions: list[dict[str, Any]] | None = None,
    depends_on: list[str] | None = None,
    inventory: list[tuple[str, str]] | None = None,
    suspend: bool = False,
    interval: str = "10m",
    source: str = "flux-system",
    generation: int = 1,
    observed_generation: int | None = None,
) -> dict[str, Any]:
    """``inventory`` is [(id, version)] with ids like ``monitoring_prometheus_monitoring.coreos.com_PrometheusRule``."""
    ready = ready if ready is not None else flux_ready(generation=generation)
    spec: dict[str, Any] = {
        "interval": interval,
        "path": path or f"./clusters/k3s-home/{name}",
        "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": source},
        "timeout": "5m",
        "decryption": {"provider": "sops", "secretRef": {"name": "sops-age"}},
    }
    if depends_on:
        spec["dependsOn"] = [{"name": d} for d in depends_on]
    if suspend:
        spec["suspend"] = True
    status: dict[str, Any] = {
        "conditions": [ready, *(extra_conditions or [])],
        "lastAttemptedRevision": REVISION,
        "observedGeneration": generation if observed_generation is None else observed_generation,
    }
    if ready.get("status") == "True":
        status["lastAppliedRevision"] = REVISION
    else:
        status["lastAppliedRevision"] = "main@sha1:1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e"
    if inventory is not None:
        status["inventory"] = {"entries": [{"id": i, "v": v} for i, v in inventory]}
    return {
        "apiVersion": api_version,
        "kind": "Kustomization",
        "metadata": meta(
            name,
            namespace,
            kind="Kustomization",
            generation=generation,
            finalizers=["finalizers.fluxcd.io"],
            labels={
                "kustomize.toolkit.fluxcd.io/name": "flux-system",
                "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
            },
        ),
        "spec": spec,
        "status": status,
    }


def helm_release(
    name: str,
    namespace: str,
    *,
    chart: str | None = None,
    version: str = "1.0.0",
    repo: str | None = None,
    api_version: str = "helm.toolkit.fluxcd.io/v2",
    ready: dict[str, Any] | None = None,
    extra_conditions: list[dict[str, Any]] | None = None,
    values_from: list[dict[str, Any]] | None = None,
    depends_on: list[str] | None = None,
    suspend: bool = False,
    history_status: str | None = None,
    install_failures: int = 0,
    timeout: str | None = None,
) -> dict[str, Any]:
    chart = chart or name
    ready = (
        ready
        if ready is not None
        else condition(
            "Ready",
            "True",
            "InstallSucceeded",
            f"Helm install succeeded for release {namespace}/{name}.v1 with chart {chart}@{version}",
        )
    )
    ok = ready.get("status") == "True"
    spec: dict[str, Any] = {
        "interval": "30m",
        "chart": {
            "spec": {
                "chart": chart,
                "version": version,
                "reconcileStrategy": "ChartVersion",
                "sourceRef": {"kind": "HelmRepository", "name": repo or chart, "namespace": "flux-system"},
            }
        },
        "install": {"remediation": {"retries": 3}},
        "upgrade": {"remediation": {"retries": 3}},
    }
    if values_from:
        spec["valuesFrom"] = values_from
    if depends_on:
        spec["dependsOn"] = [{"name": d} for d in depends_on]
    if suspend:
        spec["suspend"] = True
    if timeout:
        spec["timeout"] = timeout
    status: dict[str, Any] = {
        "conditions": [ready, *(extra_conditions or [])],
        "helmChart": f"flux-system/{namespace}-{name}",
        "lastAttemptedGeneration": 1,
        "lastAttemptedRevision": version,
        "lastAttemptedConfigDigest": CHART_DIGEST,
        "lastAttemptedReleaseAction": "install",
        "observedGeneration": 1,
        "storageNamespace": namespace,
    }
    if install_failures:
        status["installFailures"] = install_failures
    if ok or history_status:
        status["history"] = [
            {
                "appVersion": version,
                "chartName": chart,
                "chartVersion": version,
                "configDigest": CHART_DIGEST,
                "digest": CHART_DIGEST,
                "firstDeployed": ts(timedelta(days=3)),
                "lastDeployed": ts(timedelta(hours=3)),
                "name": name,
                "namespace": namespace,
                "status": history_status or "deployed",
                "version": 1,
            }
        ]
    return {
        "apiVersion": api_version,
        "kind": "HelmRelease",
        "metadata": meta(
            name, namespace, kind="HelmRelease", generation=1, finalizers=["finalizers.fluxcd.io"]
        ),
        "spec": spec,
        "status": status,
    }


def _artifact(revision: str, kind_path: str, namespace: str, name: str, age: timedelta) -> dict[str, Any]:
    return {
        "digest": CHART_DIGEST,
        "lastUpdateTime": ts(age),
        "path": f"{kind_path}/{namespace}/{name}/artifact.tar.gz",
        "revision": revision,
        "size": 184320,
        "url": f"http://source-controller.flux-system.svc.cluster.local./{kind_path}/{namespace}/{name}/artifact.tar.gz",
    }


def git_repository(
    name: str = "flux-system",
    namespace: str = "flux-system",
    *,
    url: str = "https://github.com/sudoflux/flux-k3s",
    api_version: str = "source.toolkit.fluxcd.io/v1",
    ready: dict[str, Any] | None = None,
    fetch_failed: dict[str, Any] | None = None,
    artifact_age: timedelta | None = timedelta(hours=6),
    interval: str = "1m",
    suspend: bool = False,
    age: timedelta = timedelta(days=60),
) -> dict[str, Any]:
    ready = (
        ready
        if ready is not None
        else condition("Ready", "True", "Succeeded", f"stored artifact for revision '{REVISION}'")
    )
    status: dict[str, Any] = {"conditions": [ready], "observedGeneration": 1}
    if fetch_failed is not None:
        status["conditions"].append(fetch_failed)
    if artifact_age is not None:
        status["artifact"] = _artifact(REVISION, "gitrepository", namespace, name, artifact_age)
    spec: dict[str, Any] = {
        "interval": interval,
        "ref": {"branch": "main"},
        "timeout": "60s",
        "url": url,
        "secretRef": {"name": "flux-system"},
    }
    if suspend:
        spec["suspend"] = True
    return {
        "apiVersion": api_version,
        "kind": "GitRepository",
        "metadata": meta(
            name, namespace, kind="GitRepository", generation=1, age=age, finalizers=["finalizers.fluxcd.io"]
        ),
        "spec": spec,
        "status": status,
    }


def helm_repository(
    name: str,
    url: str,
    namespace: str = "flux-system",
    *,
    api_version: str = "source.toolkit.fluxcd.io/v1",
    ready: dict[str, Any] | None = None,
    oci: bool = False,
    interval: str = "1h",
    artifact_age: timedelta | None = timedelta(hours=3),
    suspend: bool = False,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"interval": interval, "url": url, "timeout": "60s"}
    if suspend:
        spec["suspend"] = True
    if oci:
        # OCI HelmRepositories are static: source-controller writes no artifact and no conditions.
        spec["type"] = "oci"
        return {
            "apiVersion": api_version,
            "kind": "HelmRepository",
            "metadata": meta(name, namespace, kind="HelmRepository", generation=1),
            "spec": spec,
            "status": {},
        }
    ready = (
        ready
        if ready is not None
        else condition("Ready", "True", "Succeeded", f"stored artifact: revision '{CHART_DIGEST}'")
    )
    status: dict[str, Any] = {"conditions": [ready], "observedGeneration": 1}
    if artifact_age is not None:
        status["artifact"] = _artifact(CHART_DIGEST, "helmrepository", namespace, name, artifact_age)
    return {
        "apiVersion": api_version,
        "kind": "HelmRepository",
        "metadata": meta(name, namespace, kind="HelmRepository", generation=1),
        "spec": spec,
        "status": status,
    }


def oci_repository(
    name: str,
    url: str,
    namespace: str = "flux-system",
    *,
    ready: dict[str, Any] | None = None,
    interval: str = "5m",
    artifact_age: timedelta | None = timedelta(hours=1),
) -> dict[str, Any]:
    ready = (
        ready
        if ready is not None
        else condition("Ready", "True", "Succeeded", f"stored artifact for digest 'latest@{CHART_DIGEST}'")
    )
    status: dict[str, Any] = {"conditions": [ready], "observedGeneration": 1}
    if artifact_age is not None:
        status["artifact"] = _artifact(
            f"latest@{CHART_DIGEST}", "ocirepository", namespace, name, artifact_age
        )
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1beta2",
        "kind": "OCIRepository",
        "metadata": meta(name, namespace, kind="OCIRepository", generation=1),
        "spec": {"interval": interval, "url": url, "ref": {"tag": "latest"}},
        "status": status,
    }


def crd(
    plural: str, group: str, kind: str, *, versions: tuple[str, ...] = ("v1",), scope: str = "Namespaced"
) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": meta(f"{plural}.{group}", kind="CustomResourceDefinition"),
        "spec": {
            "group": group,
            "scope": scope,
            "names": {"kind": kind, "listKind": f"{kind}List", "plural": plural, "singular": kind.lower()},
            "versions": [{"name": v, "served": True, "storage": i == 0} for i, v in enumerate(versions)],
        },
        "status": {
            "acceptedNames": {"kind": kind, "plural": plural},
            "conditions": [
                condition(
                    "Established", "True", "InitialNamesAccepted", "the initial names have been accepted"
                )
            ],
            "storedVersions": [versions[0]],
        },
    }


def secret(name: str, namespace: str, data: dict[str, str], *, type_: str = "Opaque") -> dict[str, Any]:
    """Plain values in, base64 ``data`` out, as the API returns it (the loader redacts it)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": type_,
        "metadata": meta(name, namespace, kind="Secret"),
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
    }


def configmap(name: str, namespace: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta(name, namespace, kind="ConfigMap"),
        "data": dict(data),
    }


def service(
    name: str, namespace: str, *, selector: dict[str, str] | None = None, port: int = 80
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(name, namespace, kind="Service"),
        "spec": {
            "type": "ClusterIP",
            "clusterIP": "10.43.12.5",
            "clusterIPs": ["10.43.12.5"],
            "ports": [{"name": "http", "port": port, "protocol": "TCP", "targetPort": port}],
            "selector": selector or {"app.kubernetes.io/name": name},
            "sessionAffinity": "None",
            "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
        },
        "status": {"loadBalancer": {}},
    }


# -- cert-manager ------------------------------------------------------------------------------------------
def http01_solver(gateway: str = "main-gateway", namespace: str = "networking") -> dict[str, Any]:
    return {
        "http01": {
            "gatewayHTTPRoute": {
                "parentRefs": [
                    {
                        "name": gateway,
                        "namespace": namespace,
                        "kind": "Gateway",
                        "group": "gateway.networking.k8s.io",
                    }
                ]
            }
        }
    }


def ingress_http01_solver(ingress_class: str = "traefik") -> dict[str, Any]:
    return {"http01": {"ingress": {"ingressClassName": ingress_class}}}


def cloudflare_dns01_solver(
    *, zones: list[str] | None = None, dns_names: list[str] | None = None
) -> dict[str, Any]:
    solver: dict[str, Any] = {
        "dns01": {"cloudflare": {"apiTokenSecretRef": {"name": "cloudflare-api-token", "key": "api-token"}}}
    }
    selector: dict[str, Any] = {}
    if zones:
        selector["dnsZones"] = zones
    if dns_names:
        selector["dnsNames"] = dns_names
    if selector:
        solver["selector"] = selector
    return solver


def cluster_issuer(
    name: str = "letsencrypt-prod",
    *,
    solvers: list[dict[str, Any]] | None = None,
    ready: dict[str, Any] | None = None,
    namespace: str | None = None,
) -> dict[str, Any]:
    """A ClusterIssuer (or, with ``namespace``, an Issuer) for Let's Encrypt."""
    ready = (
        ready
        if ready is not None
        else condition(
            "Ready",
            "True",
            "ACMEAccountRegistered",
            "The ACME account was registered with the ACME server",
            age=timedelta(days=20),
        )
    )
    kind = "Issuer" if namespace else "ClusterIssuer"
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": kind,
        "metadata": meta(name, namespace, kind=kind, generation=1),
        "spec": {
            "acme": {
                "email": "admin@fletcherlabs.net",
                "server": LETSENCRYPT,
                "privateKeySecretRef": {"name": f"{name}-account-key"},
                "solvers": solvers if solvers is not None else [http01_solver()],
            }
        },
        "status": {
            "acme": {
                "uri": "https://acme-v02.api.letsencrypt.org/acme/acct/1873450126",
                "lastRegisteredEmail": "admin@fletcherlabs.net",
                "lastPrivateKeyHash": "mX4mZ7nLyZf1eDq0s2iF7lU3k6Ryf8Jc0QHqsE2c7kE=",
            },
            "conditions": [ready],
        },
    }


def certificate(
    name: str,
    namespace: str = "networking",
    *,
    dns_names: list[str] | None = None,
    issuer: str = "letsencrypt-prod",
    issuer_kind: str = "ClusterIssuer",
    ready: dict[str, Any] | None = None,
    issuing: dict[str, Any] | None = None,
    not_after: timedelta = timedelta(days=80),
    issued: timedelta = timedelta(days=10),
    renewal: timedelta | None = None,
    failed_attempts: int = 0,
    revision: int = 1,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``not_after``/``renewal`` are offsets from NOW into the future (negative: in the past)."""
    ready = (
        ready
        if ready is not None
        else condition("Ready", "True", "Ready", "Certificate is up to date and has not expired", age=issued)
    )
    status: dict[str, Any] = {"conditions": [ready]}
    if issuing is not None:
        status["conditions"].append(issuing)
    if ready.get("reason") != "DoesNotExist":
        renew_at = renewal if renewal is not None else not_after - timedelta(days=30)
        status.update(
            {
                "notAfter": ts(-not_after),
                "notBefore": ts(issued),
                "renewalTime": ts(-renew_at),
                "revision": revision,
            }
        )
    if failed_attempts:
        status["failedIssuanceAttempts"] = failed_attempts
        status["lastFailureTime"] = ts(timedelta(minutes=40))
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": meta(name, namespace, kind="Certificate", generation=1, labels=labels),
        "spec": {
            "dnsNames": dns_names or ["*.fletcherlabs.net", "fletcherlabs.net"],
            "issuerRef": {"group": "cert-manager.io", "kind": issuer_kind, "name": issuer},
            "secretName": f"{name}-tls",
            "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
        },
        "status": status,
    }


def certificate_request(cert: dict[str, Any], revision: int, *, ready: dict[str, Any]) -> dict[str, Any]:
    name = f"{cert['metadata']['name']}-{revision}"
    md = meta(
        name,
        cert["metadata"]["namespace"],
        kind="CertificateRequest",
        age=timedelta(hours=1),
        annotations={
            "cert-manager.io/certificate-name": cert["metadata"]["name"],
            "cert-manager.io/certificate-revision": str(revision),
            "cert-manager.io/private-key-secret-name": f"{cert['metadata']['name']}-xk2pd",
        },
    )
    md["ownerReferences"] = [owner_ref(cert)]
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "CertificateRequest",
        "metadata": md,
        "spec": {
            "issuerRef": cert["spec"]["issuerRef"],
            "request": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K",
            "usages": ["digital signature", "key encipherment"],
            "username": "system:serviceaccount:cert-manager:cert-manager",
        },
        "status": {
            "conditions": [
                condition(
                    "Approved",
                    "True",
                    "cert-manager.io",
                    "Certificate request has been approved by cert-manager.io",
                    age=timedelta(hours=1),
                ),
                ready,
            ]
        },
    }


def challenge(
    name: str,
    namespace: str,
    dns_name: str,
    *,
    type_: str = "HTTP-01",
    wildcard: bool = False,
    state: str = "pending",
    reason: str = "",
) -> dict[str, Any]:
    return {
        "apiVersion": "acme.cert-manager.io/v1",
        "kind": "Challenge",
        "metadata": meta(name, namespace, kind="Challenge", age=timedelta(minutes=50)),
        "spec": {
            "dnsName": dns_name,
            "type": type_,
            "wildcard": wildcard,
            "key": "redacted-key-authorization",
            "token": "hK8p1-nXxqV4q0m",
            "url": "https://acme-v02.api.letsencrypt.org/acme/chall-v3/1/abc",
            "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "letsencrypt-prod"},
        },
        "status": {"presented": True, "processing": True, "state": state, "reason": reason},
    }


# -- Gateway API -------------------------------------------------------------------------------------------
def gateway_class(name: str = "cilium") -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "GatewayClass",
        "metadata": meta(name, kind="GatewayClass", generation=1),
        "spec": {"controllerName": CILIUM_CONTROLLER},
        "status": {"conditions": [condition("Accepted", "True", "Accepted", "Valid GatewayClass")]},
    }


def listener_conditions(
    *, resolved: tuple[str, str, str] = ("True", "ResolvedRefs", "Resolved Refs"), programmed: str = "True"
) -> list[dict[str, Any]]:
    return [
        condition(
            "Programmed",
            programmed,
            "Programmed" if programmed == "True" else "Invalid",
            "Listener Programmed" if programmed == "True" else "Listener not programmed",
        ),
        condition("Accepted", "True", "Accepted", "Listener Accepted"),
        condition("ResolvedRefs", resolved[0], resolved[1], resolved[2]),
    ]


def gateway(
    name: str = "main-gateway",
    namespace: str = "networking",
    *,
    class_name: str = "cilium",
    cert_secret: str = "wildcard-fletcherlabs-net-tls",
    accepted: tuple[str, str, str] = ("True", "Accepted", "Gateway successfully scheduled"),
    programmed: tuple[str, str, str] = ("True", "Programmed", "Gateway successfully reconciled"),
    https_conditions: list[dict[str, Any]] | None = None,
    condition_age: timedelta = timedelta(days=2),
) -> dict[str, Any]:
    listeners = [
        {
            "name": "http",
            "port": 80,
            "protocol": "HTTP",
            "hostname": "*.fletcherlabs.net",
            "allowedRoutes": {"namespaces": {"from": "All"}},
        },
        {
            "name": "https",
            "port": 443,
            "protocol": "HTTPS",
            "hostname": "*.fletcherlabs.net",
            "allowedRoutes": {"namespaces": {"from": "All"}},
            "tls": {
                "mode": "Terminate",
                "certificateRefs": [{"group": "", "kind": "Secret", "name": cert_secret}],
            },
        },
    ]
    route_kinds = [
        {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"},
        {"group": "gateway.networking.k8s.io", "kind": "GRPCRoute"},
    ]
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": meta(
            name,
            namespace,
            kind="Gateway",
            generation=1,
            annotations={"cert-manager.io/cluster-issuer": "letsencrypt-prod"},
        ),
        "spec": {
            "gatewayClassName": class_name,
            "listeners": listeners,
            "infrastructure": {"annotations": {"io.cilium/lb-ipam-ips": "192.168.10.224"}},
        },
        "status": {
            "addresses": [{"type": "IPAddress", "value": "192.168.10.224"}],
            "conditions": [
                condition("Accepted", *accepted, age=condition_age),
                condition("Programmed", *programmed, age=condition_age),
            ],
            "listeners": [
                {
                    "name": "http",
                    "attachedRoutes": 14,
                    "supportedKinds": route_kinds,
                    "conditions": listener_conditions(),
                },
                {
                    "name": "https",
                    "attachedRoutes": 14,
                    "supportedKinds": route_kinds,
                    "conditions": https_conditions or listener_conditions(),
                },
            ],
        },
    }


def httproute(
    name: str,
    namespace: str,
    *,
    host: str | None = None,
    backends: list[str] | None = None,
    gateway_name: str = "main-gateway",
    gateway_namespace: str = "networking",
    accepted: tuple[str, str, str] | None = ("True", "Accepted", "Accepted HTTPRoute"),
    resolved: tuple[str, str, str] = ("True", "ResolvedRefs", "Service reference is valid"),
    age: timedelta = timedelta(days=5),
) -> dict[str, Any]:
    """``accepted=None`` means no controller has written status for the parent."""
    parent = {
        "group": "gateway.networking.k8s.io",
        "kind": "Gateway",
        "name": gateway_name,
        "namespace": gateway_namespace,
        "sectionName": "https",
    }
    status: dict[str, Any] = {"parents": []}
    if accepted is not None:
        status["parents"].append(
            {
                "parentRef": parent,
                "controllerName": CILIUM_CONTROLLER,
                "conditions": [condition("Accepted", *accepted), condition("ResolvedRefs", *resolved)],
            }
        )
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": meta(name, namespace, kind="HTTPRoute", generation=1, age=age),
        "spec": {
            "parentRefs": [parent],
            "hostnames": [host or f"{name}.fletcherlabs.net"],
            "rules": [
                {
                    "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                    "backendRefs": [
                        {"group": "", "kind": "Service", "name": b, "port": 80, "weight": 1}
                        for b in (backends or [name])
                    ],
                }
            ],
        },
        "status": status,
    }


# -- Velero ------------------------------------------------------------------------------------------------
def bsl(
    name: str,
    *,
    s3_url: str | None = "http://minio.velero.svc:9000",
    bucket: str = "velero",
    provider: str = "aws",
    default: bool = False,
    phase: str | None = "Available",
    message: str = "",
    credential: tuple[str, str] | None = None,
    region: str = "minio",
    age: timedelta = timedelta(days=30),
) -> dict[str, Any]:
    config: dict[str, str] = {"region": region, "s3ForcePathStyle": "true"}
    if s3_url:
        config["s3Url"] = s3_url
    spec: dict[str, Any] = {
        "provider": provider,
        "objectStorage": {"bucket": bucket},
        "config": config,
        "accessMode": "ReadWrite",
    }
    if default:
        spec["default"] = True
    if credential:
        spec["credential"] = {"name": credential[0], "key": credential[1]}
    status: dict[str, Any] = {}
    if phase:
        status = {"phase": phase, "lastValidationTime": ts(timedelta(seconds=40))}
        if phase == "Available":
            status["lastSyncedTime"] = ts(timedelta(seconds=35))
        if message:
            status["message"] = message
    return {
        "apiVersion": "velero.io/v1",
        "kind": "BackupStorageLocation",
        "metadata": meta(
            name,
            "velero",
            kind="BackupStorageLocation",
            generation=1,
            age=age,
            labels={"component": "velero"},
        ),
        "spec": spec,
        "status": status,
    }


def vsl(
    name: str, *, provider: str = "aws", config: dict[str, str] | None = None, phase: str | None = None
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "velero.io/v1",
        "kind": "VolumeSnapshotLocation",
        "metadata": meta(
            name, "velero", kind="VolumeSnapshotLocation", generation=1, labels={"component": "velero"}
        ),
        "spec": {"provider": provider, "config": config if config is not None else {"region": "minio"}},
    }
    if phase:
        obj["status"] = {"phase": phase}
    return obj


def schedule(
    name: str,
    cron: str,
    *,
    location: str | None = None,
    last_backup: timedelta | None = timedelta(hours=1),
    paused: bool = False,
    phase: str = "Enabled",
    validation_errors: list[str] | None = None,
    age: timedelta = timedelta(days=30),
) -> dict[str, Any]:
    template: dict[str, Any] = {
        "includedNamespaces": ["*"],
        "snapshotVolumes": False,
        "ttl": "720h0m0s",
        "defaultVolumesToFsBackup": True,
    }
    if location:
        template["storageLocation"] = location
    spec: dict[str, Any] = {"schedule": cron, "template": template, "useOwnerReferencesInBackup": False}
    if paused:
        spec["paused"] = True
    status: dict[str, Any] = {"phase": phase}
    if last_backup is not None:
        status["lastBackup"] = ts(last_backup)
    if validation_errors:
        status["validationErrors"] = validation_errors
    return {
        "apiVersion": "velero.io/v1",
        "kind": "Schedule",
        "metadata": meta(name, "velero", kind="Schedule", generation=1, age=age),
        "spec": spec,
        "status": status,
    }


def backup(
    sched: dict[str, Any],
    started: timedelta,
    *,
    phase: str = "Completed",
    errors: int = 0,
    warnings: int = 0,
    failure_reason: str = "",
    validation_errors: list[str] | None = None,
    duration: timedelta = timedelta(minutes=4),
) -> dict[str, Any]:
    """A Backup the schedule created ``started`` before NOW, named like Velero names them."""
    schedule_name = sched["metadata"]["name"]
    stamp = ts(started).replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
    location = sched["spec"]["template"].get("storageLocation", "default")
    status: dict[str, Any] = {
        "phase": phase,
        "startTimestamp": ts(started),
        "version": 1,
        "formatVersion": "1.1.0",
        "expiration": ts(started - timedelta(days=30)),
    }
    if phase not in ("New", "InProgress", "FailedValidation"):
        status["completionTimestamp"] = ts(started - duration)
        status["progress"] = {"itemsBackedUp": 812, "totalItems": 812}
    if errors:
        status["errors"] = errors
    if warnings:
        status["warnings"] = warnings
    if failure_reason:
        status["failureReason"] = failure_reason
    if validation_errors:
        status["validationErrors"] = validation_errors
    return {
        "apiVersion": "velero.io/v1",
        "kind": "Backup",
        "metadata": meta(
            f"{schedule_name}-{stamp}",
            "velero",
            kind="Backup",
            age=started,
            labels={"velero.io/schedule-name": schedule_name, "velero.io/storage-location": location},
        ),
        "spec": {**sched["spec"]["template"], "storageLocation": location},
        "status": status,
    }


def velero_deployment(
    *, plugins: tuple[str, ...] = ("velero/velero-plugin-for-aws:v1.10.0",), default_vsls: str | None = None
) -> dict[str, Any]:
    args = ["server", "--uploader-type=kopia", "--features="]
    if default_vsls:
        args.append(f"--default-volume-snapshot-locations={default_vsls}")
    labels = {"app.kubernetes.io/name": "velero", "app.kubernetes.io/instance": "velero"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta("velero", "velero", kind="Deployment", labels=labels, generation=1),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "velero",
                            "image": "velero/velero:v1.14.1",
                            "command": ["/velero"],
                            "args": args,
                        }
                    ],
                    "initContainers": [
                        {
                            "name": p.split("/")[-1].split(":")[0],
                            "image": p,
                            "volumeMounts": [{"mountPath": "/target", "name": "plugins"}],
                        }
                        for p in plugins
                    ],
                },
            },
        },
        "status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1, "observedGeneration": 1},
    }


# -- admission policies (Kyverno: https://github.com/kyverno/kyverno/pull/1862) ----------------------------
KYVERNO_DENIED = (
    'admission webhook "validate.kyverno.svc-fail" denied the request: \n\nresource Pod/{ns}/ was blocked due to '
    "the following policies \n\nrequire-requests-limits:\n  validate-resources: 'validation error: CPU and memory "
    "resource requests and limits are required. rule validate-resources failed at path "
    "/spec/containers/0/resources/limits/cpu/'\n"
)


def refused_by_admission(name: str, namespace: str, message: str) -> list[dict[str, Any]]:
    """A Deployment whose ReplicaSet could not create its pod: the admission webhook's ``message`` is in its
    ReplicaFailure condition and FailedCreate event, as the ReplicaSet controller records them."""
    dep = deployment(name, namespace, ready=0)
    rs = replicaset(dep)
    rs["status"].update(replicas=0, fullyLabeledReplicas=0)  # no pod was ever created
    rs["status"]["conditions"] = [
        {"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": message}
    ]
    return [
        dep,
        rs,
        event(rs, "FailedCreate", f"Error creating: {message}", count=37, component="replicaset-controller"),
    ]


def kyverno_cluster_policy(name: str, action: str = "Enforce") -> dict[str, Any]:
    return {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": meta(name, kind="ClusterPolicy", generation=1),
        "spec": {"admission": True, "background": True, "rules": [], "validationFailureAction": action},
    }


# -- External Secrets Operator (https://github.com/external-secrets/external-secrets/issues/3412) ------------
def secret_store(
    ready: bool, *, kind: str = "ClusterSecretStore", namespace: str | None = None
) -> dict[str, Any]:
    """A 1Password store of External Secrets Operator, Ready or failing its validation."""
    cond = (
        {"type": "Ready", "status": "True", "reason": "Valid", "message": "store validated"}
        if ready
        else {
            "type": "Ready",
            "status": "False",
            "reason": "ValidationFailed",
            "message": "unable to validate store",
        }
    )
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": kind,
        "metadata": meta("onepassword", namespace, kind=kind, generation=1),
        "spec": {
            "provider": {
                "onepassword": {"connectHost": "http://onepassword-connect.external-secrets.svc:8080"}
            }
        },
        "status": {"capabilities": "ReadOnly", "conditions": [cond]},
    }


def external_secret(
    name: str, namespace: str, *, ready: bool, kind: str = "ClusterSecretStore"
) -> dict[str, Any]:
    cond = (
        {"type": "Ready", "status": "True", "reason": "SecretSynced", "message": "secret synced"}
        if ready
        else {
            "type": "Ready",
            "status": "False",
            "reason": "SecretSyncedError",
            "message": "could not get secret data from provider",
        }
    )
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": meta(name, namespace, kind="ExternalSecret", generation=1),
        "spec": {
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": kind, "name": "onepassword"},
            "target": {"creationPolicy": "Owner", "name": name},
            "dataFrom": [{"extract": {"key": name}}],
        },
        "status": {"conditions": [cond]},
    }


# -- Velero node-agent (https://github.com/velero-io/velero/issues/6763) ------------------------------------
GPU_TAINT = {"effect": "NoSchedule", "key": "nvidia.com/gpu", "value": "present"}
NODE_AGENT = {
    "name": "node-agent",
    "image": "velero/velero:v1.14.0",
    "command": ["/velero"],
    "args": ["node-agent", "server"],
}


def velero_node_agent_pods(*nodes: str) -> list[dict[str, Any]]:
    """Velero's node-agent DaemonSet with one running pod on each of ``nodes``."""
    ds = daemonset(
        "node-agent", "velero", labels={"name": "node-agent"}, containers=[NODE_AGENT], desired=len(nodes)
    )
    return [ds, *(owned_pod(ds, f"x{i}", node_name=n) for i, n in enumerate(nodes))]


def app_with_claim(name: str, node_name: str) -> list[dict[str, Any]]:
    """A media Deployment whose pod on ``node_name`` mounts the claim ``<name>-config``."""
    dep = deployment(name, "media")
    dep["spec"]["template"]["spec"]["volumes"] = [
        {"name": "config", "persistentVolumeClaim": {"claimName": f"{name}-config"}}
    ]
    rs = replicaset(dep)
    return [dep, rs, owned_pod(rs, "abcde", node_name=node_name)]


# -- PodDisruptionBudgets and drains (https://github.com/rancher/system-upgrade-controller/issues/78) ------------
def single_replica_with_budget(
    name: str, namespace: str, node_name: str, *, replicas: int = 1, healthy: int | None = None
) -> list[dict[str, Any]]:
    """A Deployment with ``replicas`` pods on ``node_name`` and a ``minAvailable: 1`` budget over them, its
    status as the disruption controller computes it."""
    healthy = replicas if healthy is None else healthy
    dep = deployment(name, namespace, replicas=replicas, ready=healthy)
    rs = replicaset(dep)
    labels = dep["spec"]["selector"]["matchLabels"]
    pods = [owned_pod(rs, f"p{i}x7q", node_name=node_name, ready=i < healthy) for i in range(replicas)]
    allowed = max(healthy - 1, 0)
    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta(name, namespace, kind="PodDisruptionBudget", generation=1),
        "spec": {"minAvailable": 1, "selector": {"matchLabels": dict(labels)}},
        "status": {
            "conditions": [
                {
                    "type": "DisruptionAllowed",
                    "status": "True" if allowed else "False",
                    "reason": "SufficientPods" if allowed else "InsufficientPods",
                    "message": "",
                    "observedGeneration": 1,
                }
            ],
            "currentHealthy": healthy,
            "desiredHealthy": 1,
            "disruptionsAllowed": allowed,
            "expectedPods": replicas,
            "observedGeneration": 1,
        },
    }
    return [dep, rs, *pods, pdb]


def drain_job_pods(node_name: str) -> list[dict[str, Any]]:
    """The system-upgrade-controller's Job for ``node_name``, its pod stuck in the ``drain`` init container."""
    job_name = f"apply-k3s-agent-on-{node_name}-with-23a025105d"
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta(job_name, "system-upgrade", kind="Job", generation=1),
        "spec": {
            "backoffLimit": 99,
            "template": {"metadata": {"labels": {"upgrade.cattle.io/plan": "k3s-agent"}}},
        },
        "status": {"active": 1, "ready": 0},
    }
    stuck = pod(
        f"{job_name}-2b94h",
        "system-upgrade",
        node_name=node_name,
        phase="Pending",
        owner=job,
        containers=[{"name": "upgrade", "image": "docker.io/rancher/k3s-upgrade:v1.33.2-k3s1"}],
        ready=False,
    )
    stuck["spec"]["initContainers"] = [
        {
            "name": "drain",
            "image": "docker.io/rancher/kubectl:v1.32.5",
            "args": [
                "drain",
                node_name,
                "--pod-selector",
                "!upgrade.cattle.io/controller",
                "--ignore-daemonsets",
                "--force",
            ],
        }
    ]
    return [job, stuck]


# -- Secrets made by other objects (https://github.com/bitnami/sealed-secrets/issues/442) ----------------------------
def sealed_secret(name: str, namespace: str, *, synced: bool) -> dict[str, Any]:
    """A Bitnami SealedSecret, unsealed or refused by its controller (sealed for another namespace)."""
    cond = {"type": "Synced", "status": "True", "lastTransitionTime": ts(timedelta(hours=1))}
    if not synced:
        cond = {**cond, "status": "False", "message": "no key could decrypt secret (ADMIN_TOKEN)"}
    return {
        "apiVersion": "bitnami.com/v1alpha1",
        "kind": "SealedSecret",
        "metadata": meta(name, namespace, kind="SealedSecret", generation=1),
        "spec": {
            "encryptedData": {"ADMIN_TOKEN": "AgBy3i4OJSWK+PiTySYZZA"},
            "template": {"metadata": {"name": name, "namespace": namespace}, "type": "Opaque"},
        },
        "status": {"conditions": [cond], "observedGeneration": 1},
    }


def app_needing_secret(
    name: str, namespace: str, secret_name: str, *, waiting: bool, key: str = "ADMIN_TOKEN"
) -> list[dict[str, Any]]:
    """A Deployment whose container reads ``key`` of ``secret_name`` in its env: its pod in
    CreateContainerConfigError (``secret "NAME" not found``) while ``waiting``, running otherwise."""
    dep = deployment(name, namespace, ready=0 if waiting else 1)
    dep["spec"]["template"]["spec"]["containers"][0]["env"] = [
        {"name": key, "valueFrom": {"secretKeyRef": {"name": secret_name, "key": key}}}
    ]
    rs = replicaset(dep)
    image = dep["spec"]["template"]["spec"]["containers"][0]["image"]
    status = (
        container_status(
            name,
            image,
            state="waiting",
            reason="CreateContainerConfigError",
            message=f'secret "{secret_name}" not found',
        )
        if waiting
        else container_status(name, image)
    )
    return [dep, rs, owned_pod(rs, "qfqsq", statuses=[status], ready=not waiting)]


# -- A claim grown in Git that its StorageClass cannot expand (https://github.com/kubernetes/kubernetes/issues/73778)
EXPANSION_REFUSED = (
    'PersistentVolumeClaim/home/paperless-media dry-run failed (Forbidden): persistentvolumeclaims "paperless-media" '
    "is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must "
    "support resize"
)


def grown_claim(
    *, allow_expansion: bool, storage_class: str | None = "longhorn-retain"
) -> list[dict[str, Any]]:
    """The apps-home Kustomization whose dry-run the API server refused, the claim it grows and its class."""
    ks = kustomization(
        "apps-home",
        ready=flux_ready("False", "ReconciliationFailed", EXPANSION_REFUSED, age=timedelta(hours=4)),
    )
    objs = [ks, pvc("paperless-media", "home", storage_class, size="20Gi")]
    if storage_class:
        sc = make_class(storage_class)
        sc["allowVolumeExpansion"] = allow_expansion
        objs.append(sc)
    return objs
