"""Cause rule ``longhorn-volume-faulted``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("longhorn-volume-faulted", layer=Layer.STORAGE, rank=1, causes={"longhorn-volume-degraded"})
def longhorn_volume_faulted(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A degraded or faulted Longhorn volume explains its PV, claim and the pods that cannot mount it.

    The chain is Volume → PV (CSI ``volumeHandle``) → PVC → pods. A node that is down and holds the
    replicas is upstream of the volume (``replica`` edge) and is then the cause instead.
    """
    ns = cause.object.namespace
    return Explanation(
        set(),
        cause.message,
        list(cause.evidence),
        [
            NextStep(
                "see the replicas and where they failed",
                f"kubectl -n {ns} get replicas.longhorn.io -l longhornvolume={cause.object.name} -o wide",
            ),
            NextStep(
                "salvage from the most recent healthy replica in the Longhorn UI before deleting anything: "
                "the volume's robustness and last backup",
                f"kubectl -n {ns} get volumes.longhorn.io "
                f"{cause.object.name} -o custom-columns=STATE:.status.state,ROBUSTNESS:.status.robustness,"
                "LAST-BACKUP:.status.lastBackup",
            ),
        ],
    )
