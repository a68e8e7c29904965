"""Controllers a homelab runs and what stops being reconciled while one of them is down."""

from __future__ import annotations

from homelabctl import kinds

RECONCILERS: dict[str, tuple[str, ...]] = {
    "cert-manager": (
        kinds.CERTIFICATE,
        kinds.CERTIFICATE_REQUEST,
        "Order.acme.cert-manager.io",
        kinds.ACME_CHALLENGE,
    ),
    "source-controller": (
        kinds.GIT_REPOSITORY,
        kinds.HELM_REPOSITORY,
        kinds.OCI_REPOSITORY,
        kinds.HELM_CHART,
        "Bucket.source.toolkit.fluxcd.io",
    ),
    "kustomize-controller": (kinds.FLUX_KUSTOMIZATION,),
    "helm-controller": (kinds.HELM_RELEASE,),
    "velero": (kinds.BACKUP_STORAGE_LOCATION, kinds.VELERO_SCHEDULE, kinds.VELERO_BACKUP),
}
"""Controller Deployments (by name) and the kinds they reconcile: while one is down, nothing of its kinds is
renewed, applied or fetched — an expired Certificate under a crash-looping cert-manager is its symptom."""

CA_INJECTOR = "cainjector"
"""cert-manager's CA injector Deployment is named after it (``cert-manager-cainjector``)."""
CA_INJECT_ANNOTATIONS = (
    "cert-manager.io/inject-ca-from",
    "cert-manager.io/inject-ca-from-secret",
    "cert-manager.io/inject-apiserver-ca",
)
"""Annotations cert-manager's cainjector acts on: while it is down, the caBundle of these objects goes stale."""
