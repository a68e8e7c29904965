"""Cause rule ``gpu-saturated``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.graph import OWNS
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.k8s import nodes as k8s_nodes
from homelabctl.kube import requested
from homelabctl.model import Finding, Layer, Resource


def _requests_gpu(res: Resource | None) -> bool:
    return res is not None and res.kind == "Pod" and requested(res.spec, "nvidia.com/gpu") > 0


@cause_rule("gpu-saturated", layer=Layer.GPU, rank=0, causes={"gpu-time-slicing-saturated"})
def gpu_saturated(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """Every time-sliced GPU replica is taken: GPU pods that cannot schedule are symptoms of it.

    Time-slicing advertises N ``nvidia.com/gpu`` per physical card with no memory isolation. When all
    are requested, new GPU pods stay Pending on ``Insufficient nvidia.com/gpu``; those pods and their
    controllers are grouped here. Known case: a Tesla T4 time-sliced to 4.
    """
    pending = {
        f.object
        for check in ("gpu-insufficient", "pod-pending")
        for f in ctx.by_check.get(check, [])
        if _requests_gpu(ctx.resource(f.object))
    }
    start = {cause.object} | {ref for p in pending for ref in ctx.workload_start(p)}
    impacted = ctx.propagate(start, (OWNS,))
    return Explanation(
        impacted,
        f"{cause.message}: new GPU pods cannot be scheduled, and the ones running share memory "
        "with no isolation",
        list(cause.evidence),
        [
            _holders_step(ctx, cause),
            NextStep(
                "give critical GPU workloads a PriorityClass and cap each namespace with a ResourceQuota on "
                f"requests.{_resource(ctx, cause)}",
                "kubectl get priorityclasses,resourcequotas -A",
            ),
        ],
    )


def _resource(ctx: RuleContext, cause: Finding) -> str:
    """The GPU resource the node advertises (``nvidia.com/gpu``, ``gpu.intel.com/i915``, ``amd.com/gpu``)."""
    node = ctx.resource(cause.object)
    allocatable = k8s_nodes.allocatable(node) if node is not None else {}
    for name in allocatable:
        if "gpu" in str(name) or "i915" in str(name):
            return str(name)
    return "nvidia.com/gpu"


def _holders_step(ctx: RuleContext, cause: Finding) -> NextStep:
    resource = _resource(ctx, cause).replace(".", "\\.")
    node = cause.object.name
    return NextStep(
        f"see which pods on {node} hold the GPU and how much each requests",
        f"kubectl get pods -A --field-selector spec.nodeName={node} -o custom-columns='NAMESPACE:"
        f".metadata.namespace,NAME:.metadata.name,PHASE:.status.phase,GPU:.spec.containers[*]."
        f"resources.requests.{resource}'",
    )
