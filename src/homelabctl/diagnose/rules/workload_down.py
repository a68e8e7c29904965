"""Cause rule ``workload-down``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import describe_step, failing_container, failing_pod, pod_read_step
from homelabctl.kube import pod_containers
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Finding, Layer, ObjectRef, Resource

_QUANTITY = LazyPattern(r"^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|K|M|G)?$")


def doubled(quantity: str) -> str | None:
    """Twice a memory quantity, in its own unit: ``512Mi`` → ``1024Mi``; None when it is not one."""
    match = _QUANTITY.match(quantity.strip())
    if not match:
        return None
    amount = float(match.group(1)) * 2
    return f"{int(amount) if amount.is_integer() else amount}{match.group(2) or ''}"


def oom_step(ctx: RuleContext, target: ObjectRef, pod: Resource | None) -> NextStep:
    """Raise the memory limit of the container that was OOMKilled to twice what it is."""
    failing = failing_container(pod) if pod is not None else None
    spec = (
        next((c for c in pod_containers(pod.spec) if failing is None or c.get("name") == failing.name), None)
        if pod is not None
        else None
    )
    limit = str(((spec or {}).get("resources") or {}).get("limits", {}).get("memory") or "") if spec else ""
    higher = doubled(limit) if limit else None
    where = f"{target.kind.lower()}/{target.name}"
    container = f" -c {spec.get('name')}" if spec and spec.get("name") else ""
    if higher is None:
        return NextStep(
            f"the container has no memory limit to raise{f' ({limit})' if limit else ''}: see what "
            f"it uses and set a limit above it (or find the leak)",
            f"kubectl -n {target.namespace} top pod {pod.name} --containers"
            if pod is not None
            else f"kubectl -n {target.namespace} top pods",
        )
    return NextStep(
        f"raise the memory limit from {limit} (here doubled; or find the leak) and watch the restarts stop",
        f"kubectl -n {target.namespace} set resources {where}{container} --limits=memory={higher}",
    )


@cause_rule(
    "workload-down",
    layer=Layer.WORKLOAD,
    rank=1,
    causes={"pod-crashloop", "pod-image-pull", "workload-replicas-unavailable", "pod-oomkilled"},
)
def workload_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A failing workload explains what depends on it: its controller, Services, routes, backup locations.

    The crash of an in-cluster object store (MinIO) explains the Velero BackupStorageLocation that points
    at it (``s3Url`` with a ``.svc`` host) and the schedules writing there; a crashing backend explains
    the routes to it. The object to fix is the pod's top-level controller. An OOMKilled container gets its
    memory limit in the evidence and the command to raise it.
    """
    impacted = ctx.reach(cause)
    target = ctx.fix_target(cause.object)
    downstream = sorted(
        str(ref)
        for ref in impacted
        if ref.kind not in ("Pod", "ReplicaSet", "Job") and ref != target and ctx.failing(ref)
    )
    consequence = f"; it takes down {', '.join(downstream)}" if downstream else ""
    pod = failing_pod(ctx, cause.object)
    steps = [pod_read_step(pod)] if pod is not None else [describe_step(target)]
    if cause.check == "pod-oomkilled":
        steps.append(oom_step(ctx, target, pod))
    return Explanation(
        impacted,
        f"{cause.message}{consequence}",
        list(cause.evidence),
        steps,
        confidence="medium",
        object=target,
    )
