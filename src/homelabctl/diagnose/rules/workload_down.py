"""Cause rule ``workload-down``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("workload-down", layer=Layer.WORKLOAD, rank=1,
            causes={"pod-crashloop", "pod-image-pull", "workload-replicas-unavailable", "pod-oomkilled"})
def workload_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A failing workload explains what depends on it: its controller, Services, routes, backup locations.

    The crash of an in-cluster object store (MinIO) explains the Velero BackupStorageLocation that points
    at it (``s3Url`` with a ``.svc`` host) and the schedules writing there; a crashing backend explains
    the routes to it. The object to fix is the pod's top-level controller. An OOMKilled container gets its
    memory limit in the evidence and the command to raise it.
    """
    impacted = ctx.reach(cause)
    target = ctx.fix_target(cause.object)
    downstream = sorted(str(ref) for ref in impacted
                        if ref.kind not in ("Pod", "ReplicaSet", "Job") and ref != target and ctx.failing(ref))
    consequence = f"; it takes down {', '.join(downstream)}" if downstream else ""
    steps = [NextStep("read the last crash", f"kubectl -n {target.namespace} logs {target.kind.lower()}/"
                      f"{target.name} --previous --tail=50")]
    if cause.check == "pod-oomkilled":
        steps.append(NextStep("raise the memory limit (or find the leak) and watch the restarts stop",
                              f"kubectl -n {target.namespace} set resources {target.kind.lower()}/{target.name} "
                              "--limits=memory=<higher>"))
    return Explanation(impacted, f"{cause.message}{consequence}", list(cause.evidence), steps,
                       confidence="medium", object=target)
