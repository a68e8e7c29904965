"""Cause rule ``storage-class-missing``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("storage-class-missing", layer=Layer.STORAGE, rank=0, causes={"pvc-storage-class-missing"})
def storage_class_missing(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A claim naming a StorageClass that does not exist stays Pending, and so does every pod mounting it.

    The fix is on the claim (``storageClassName`` is immutable: recreate the PVC with the right class);
    the pods Pending on ``unbound immediate PersistentVolumeClaims`` and their controllers are grouped here.
    """
    ns = cause.object.namespace or "default"
    return Explanation(
        set(),
        cause.message,
        list(cause.evidence),
        [
            NextStep("list the classes that exist", "kubectl get storageclass"),
            NextStep(
                "recreate the claim with an existing class (storageClassName cannot be changed in place)",
                f"kubectl -n {ns} get pvc {cause.object.name} -o yaml",
            ),
        ],
    )
