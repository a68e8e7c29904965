"""Cause rule ``gpu-device-plugin-down``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.diagnose.rules._common import describe_step, failing_pod, pod_read_step
from homelabctl.kube import pod_node
from homelabctl.model import Finding, Layer


@cause_rule("gpu-device-plugin-down", layer=Layer.GPU, rank=0, causes={"gpu-plugin-failing"})
def gpu_device_plugin_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A GPU device plugin that is not running hides the GPU: pods Pending on ``Insufficient nvidia.com/gpu``
    are its symptoms, not a sign the GPU is full.

    The pods' FailedScheduling message names the resource the plugin advertises, which links them to the
    plugin DaemonSet. After a driver upgrade the plugin often cannot load NVML ("could not load NVML
    library"): the node needs the matching driver (or a reboot) before the plugin can start.
    """
    ns = cause.object.namespace or "kube-system"
    pod = failing_pod(ctx, cause.object)
    node = pod_node(pod) if pod is not None else None
    return Explanation(
        set(),
        f"{cause.message}: GPU pods cannot be scheduled until it runs",
        list(cause.evidence),
        [
            pod_read_step(pod, "read why the plugin exits")
            if pod is not None
            else describe_step(cause.object),
            NextStep(
                f"on the GPU node{f' {node}' if node else ''}, check the driver the plugin needs is loaded",
                f"ssh {node} nvidia-smi" if node else "nvidia-smi",
            ),
            NextStep(
                "restart the plugin after fixing the driver",
                f"kubectl -n {ns} rollout restart {cause.object.kind.lower()}/{cause.object.name}",
            ),
        ],
    )
