"""API versions Kubernetes removed, and controller API versions (Flux, cert-manager, Gateway API) their
projects deprecated or stopped serving."""

from __future__ import annotations

import msgspec

_V = tuple[int, int]
# (apiVersion, kind) → (replacement apiVersion or advice, Kubernetes minor that stopped serving it).
KUBE_REMOVED: dict[tuple[str, str], tuple[str, _V]] = {}


def _add(api: str, kinds: str, replacement: str, removed: _V) -> None:
    for kind in kinds.split():
        KUBE_REMOVED[(api, kind)] = (replacement, removed)


_add("extensions/v1beta1", "Deployment DaemonSet ReplicaSet", "apps/v1", (1, 16))
_add("extensions/v1beta1", "NetworkPolicy", "networking.k8s.io/v1", (1, 16))
_add("extensions/v1beta1", "PodSecurityPolicy", "Pod Security Admission (no replacement API)", (1, 16))
_add("extensions/v1beta1", "Ingress", "networking.k8s.io/v1", (1, 22))
_add("apps/v1beta1", "Deployment StatefulSet ReplicaSet", "apps/v1", (1, 16))
_add("apps/v1beta2", "Deployment StatefulSet DaemonSet ReplicaSet", "apps/v1", (1, 16))
_add("networking.k8s.io/v1beta1", "Ingress IngressClass", "networking.k8s.io/v1", (1, 22))
_add("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", "apiextensions.k8s.io/v1", (1, 22))
_add(
    "admissionregistration.k8s.io/v1beta1",
    "MutatingWebhookConfiguration ValidatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1",
    (1, 22),
)
_add("apiregistration.k8s.io/v1beta1", "APIService", "apiregistration.k8s.io/v1", (1, 22))
_add(
    "rbac.authorization.k8s.io/v1beta1",
    "Role ClusterRole RoleBinding ClusterRoleBinding",
    "rbac.authorization.k8s.io/v1",
    (1, 22),
)
_add("scheduling.k8s.io/v1beta1", "PriorityClass", "scheduling.k8s.io/v1", (1, 22))
_add(
    "storage.k8s.io/v1beta1", "CSIDriver CSINode StorageClass VolumeAttachment", "storage.k8s.io/v1", (1, 22)
)
_add("coordination.k8s.io/v1beta1", "Lease", "coordination.k8s.io/v1", (1, 22))
_add("certificates.k8s.io/v1beta1", "CertificateSigningRequest", "certificates.k8s.io/v1", (1, 22))
_add("batch/v1beta1", "CronJob", "batch/v1", (1, 25))
_add("discovery.k8s.io/v1beta1", "EndpointSlice", "discovery.k8s.io/v1", (1, 25))
_add("events.k8s.io/v1beta1", "Event", "events.k8s.io/v1", (1, 25))
_add("autoscaling/v2beta1", "HorizontalPodAutoscaler", "autoscaling/v2", (1, 25))
_add("policy/v1beta1", "PodDisruptionBudget", "policy/v1", (1, 25))
_add("policy/v1beta1", "PodSecurityPolicy", "Pod Security Admission (no replacement API)", (1, 25))
_add("node.k8s.io/v1beta1", "RuntimeClass", "node.k8s.io/v1", (1, 25))
_add("autoscaling/v2beta2", "HorizontalPodAutoscaler", "autoscaling/v2", (1, 26))
_add(
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "FlowSchema PriorityLevelConfiguration",
    "flowcontrol.apiserver.k8s.io/v1",
    (1, 26),
)
_add("storage.k8s.io/v1beta1", "CSIStorageCapacity", "storage.k8s.io/v1", (1, 27))
_add(
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "FlowSchema PriorityLevelConfiguration",
    "flowcontrol.apiserver.k8s.io/v1",
    (1, 29),
)
_add(
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "FlowSchema PriorityLevelConfiguration",
    "flowcontrol.apiserver.k8s.io/v1",
    (1, 32),
)

# Controller APIs deprecated by their project. ``removed`` is set only where the project has stopped
# serving them for a long time (cert-manager 1.7, January 2022); Flux's betas are reported as deprecated.
CONTROLLER_DEPRECATED: dict[tuple[str, str | None], tuple[str, str, bool]] = {
    ("kustomize.toolkit.fluxcd.io/v1beta1", None): ("kustomize.toolkit.fluxcd.io/v1", "Flux 2.0", False),
    ("kustomize.toolkit.fluxcd.io/v1beta2", None): ("kustomize.toolkit.fluxcd.io/v1", "Flux 2.0", False),
    ("helm.toolkit.fluxcd.io/v2beta1", None): ("helm.toolkit.fluxcd.io/v2", "Flux 2.3", False),
    ("helm.toolkit.fluxcd.io/v2beta2", None): ("helm.toolkit.fluxcd.io/v2", "Flux 2.3", False),
    ("source.toolkit.fluxcd.io/v1beta1", "GitRepository"): ("source.toolkit.fluxcd.io/v1", "Flux 2.0", False),
    ("source.toolkit.fluxcd.io/v1beta2", "GitRepository"): ("source.toolkit.fluxcd.io/v1", "Flux 2.0", False),
    ("source.toolkit.fluxcd.io/v1beta1", "HelmRepository"): (
        "source.toolkit.fluxcd.io/v1",
        "Flux 2.3",
        False,
    ),
    ("source.toolkit.fluxcd.io/v1beta2", "HelmRepository"): (
        "source.toolkit.fluxcd.io/v1",
        "Flux 2.3",
        False,
    ),
    ("source.toolkit.fluxcd.io/v1beta1", "HelmChart"): ("source.toolkit.fluxcd.io/v1", "Flux 2.3", False),
    ("source.toolkit.fluxcd.io/v1beta2", "HelmChart"): ("source.toolkit.fluxcd.io/v1", "Flux 2.3", False),
    ("source.toolkit.fluxcd.io/v1beta1", "Bucket"): ("source.toolkit.fluxcd.io/v1beta2", "Flux 0.29", False),
    ("source.toolkit.fluxcd.io/v1beta1", "OCIRepository"): (
        "source.toolkit.fluxcd.io/v1beta2",
        "Flux 0.32",
        False,
    ),
    ("notification.toolkit.fluxcd.io/v1beta1", "Alert"): (
        "notification.toolkit.fluxcd.io/v1beta3",
        "Flux 2.2",
        False,
    ),
    ("notification.toolkit.fluxcd.io/v1beta2", "Alert"): (
        "notification.toolkit.fluxcd.io/v1beta3",
        "Flux 2.2",
        False,
    ),
    ("notification.toolkit.fluxcd.io/v1beta1", "Provider"): (
        "notification.toolkit.fluxcd.io/v1beta3",
        "Flux 2.2",
        False,
    ),
    ("notification.toolkit.fluxcd.io/v1beta2", "Provider"): (
        "notification.toolkit.fluxcd.io/v1beta3",
        "Flux 2.2",
        False,
    ),
    ("notification.toolkit.fluxcd.io/v1beta1", "Receiver"): (
        "notification.toolkit.fluxcd.io/v1",
        "Flux 2.1",
        False,
    ),
    ("notification.toolkit.fluxcd.io/v1beta2", "Receiver"): (
        "notification.toolkit.fluxcd.io/v1",
        "Flux 2.1",
        False,
    ),
    ("image.toolkit.fluxcd.io/v1beta1", None): ("image.toolkit.fluxcd.io/v1beta2", "Flux 2.0", False),
    ("cert-manager.io/v1alpha2", None): ("cert-manager.io/v1", "cert-manager 1.7", True),
    ("cert-manager.io/v1alpha3", None): ("cert-manager.io/v1", "cert-manager 1.7", True),
    ("cert-manager.io/v1beta1", None): ("cert-manager.io/v1", "cert-manager 1.7", True),
    ("acme.cert-manager.io/v1alpha2", None): ("acme.cert-manager.io/v1", "cert-manager 1.7", True),
    ("acme.cert-manager.io/v1alpha3", None): ("acme.cert-manager.io/v1", "cert-manager 1.7", True),
    ("acme.cert-manager.io/v1beta1", None): ("acme.cert-manager.io/v1", "cert-manager 1.7", True),
    ("gateway.networking.k8s.io/v1alpha2", "HTTPRoute"): (
        "gateway.networking.k8s.io/v1",
        "Gateway API 1.0",
        False,
    ),
    ("gateway.networking.k8s.io/v1beta1", "HTTPRoute"): (
        "gateway.networking.k8s.io/v1",
        "Gateway API 1.0",
        False,
    ),
    ("gateway.networking.k8s.io/v1beta1", "Gateway"): (
        "gateway.networking.k8s.io/v1",
        "Gateway API 1.0",
        False,
    ),
    ("gateway.networking.k8s.io/v1beta1", "GatewayClass"): (
        "gateway.networking.k8s.io/v1",
        "Gateway API 1.0",
        False,
    ),
}


class Deprecation(msgspec.Struct, frozen=True):
    api_version: str
    kind: str
    replacement: str
    since: str
    """``Flux 2.3``, ``cert-manager 1.7``."""
    gone: bool
    """The project no longer serves it."""


def controller_deprecation(api_version: str, kind: str) -> Deprecation | None:
    entry = CONTROLLER_DEPRECATED.get((api_version, kind)) or CONTROLLER_DEPRECATED.get((api_version, None))
    if entry is None:
        return None
    replacement, since, gone = entry
    return Deprecation(api_version, kind, replacement, since, gone)
