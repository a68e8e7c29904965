from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import expansion_refusals
from homelabctl.model import Finding, Layer, Lifecycle, ObjectRef, Resource, Severity


@check(
    "storage-class-refuses-expansion",
    layer=Layer.STORAGE,
    severity=Severity.CRITICAL,
    requires=[kinds.PVC],
    any_of=[kinds.FLUX_KUSTOMIZATION, kinds.HELM_RELEASE],
    uses=[kinds.STORAGE_CLASS],
    lifecycle=Lifecycle.PREVIEW,
)
def storage_class_refuses_expansion(ctx: CheckContext) -> Iterator[Finding]:
    """StorageClass without ``allowVolumeExpansion`` refusing a claim's larger size, which stops a GitOps apply.

    Reads the ``Ready`` condition of Flux Kustomizations and HelmReleases for the API server's refusal
    ``persistentvolumeclaims "NAME" is forbidden: only dynamically provisioned pvc can be resized and the
    storageclass that provisions the pvc must support resize`` (the PersistentVolumeClaimResize admission
    plugin), the claim it names (namespace from ``PersistentVolumeClaim/NS/NAME``, else the object's target
    namespace) and that claim's StorageClass. Fires on the StorageClass when its ``allowVolumeExpansion`` is
    unset or false; on the claim itself when it has no StorageClass (statically provisioned) or its class does
    not exist. Nothing is reported when the class allows expansion (the refusal is then about something else).

    Why it matters: raising a claim's size in Git looks harmless, but the API server refuses it and the
    controller's dry-run fails as a whole: nothing else in that Kustomization or release is applied until the
    size is reverted or the class allows expansion, and the volume keeps its old size.

    Next step: set ``allowVolumeExpansion: true`` on the StorageClass when its provisioner can expand volumes
    (Longhorn, most CSI drivers; the field may be changed on an existing class), or revert the claim's size in
    Git; for a statically provisioned claim, grow the volume by hand and create a new claim.
    """
    for refusal in expansion_refusals.expansion_refusals(ctx.index):
        claim, reporter = refusal.claim, refusal.reporter
        evidence = [
            f"{reporter.kind} {reporter.namespace}/{reporter.name} Ready=False: {refusal.line}",
            f"PersistentVolumeClaim {claim.namespace}/{claim.name} storageClassName={refusal.storage_class or '(none)'}",
        ]
        target: Resource | ObjectRef
        if refusal.storage_class and refusal.class_exists:
            evidence.append(f"StorageClass {refusal.storage_class}: allowVolumeExpansion is not true")
            sc = ctx.index.get(kinds.STORAGE_CLASS, None, refusal.storage_class)
            target = sc if sc is not None else ObjectRef("StorageClass", None, refusal.storage_class)
            message = (
                f"StorageClass {refusal.storage_class} does not allow volume expansion: the API server refuses to "
                f"grow PersistentVolumeClaim {claim.namespace}/{claim.name}, and {reporter.kind} "
                f"{reporter.namespace}/{reporter.name} applies nothing"
            )
            hint = (
                f"`kubectl patch storageclass {refusal.storage_class} -p '{{\"allowVolumeExpansion\": true}}'` if "
                "its provisioner can expand volumes (and set it in Git), or revert the claim's size"
            )
        else:
            why = (
                "has no StorageClass"
                if not refusal.storage_class
                else f"names a missing StorageClass {refusal.storage_class}"
            )
            pvc = ctx.index.get(kinds.PVC, claim.namespace, claim.name)
            target = pvc if pvc is not None else claim
            message = (
                f"PersistentVolumeClaim {claim.namespace}/{claim.name} {why}, so the API server refuses to grow it: "
                f"{reporter.kind} {reporter.namespace}/{reporter.name} applies nothing"
            )
            hint = "Revert the claim's size in Git; grow the volume by hand and bind a new claim to it"
        yield ctx.finding(target, message, evidence=evidence, hint=hint)
