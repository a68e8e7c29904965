from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.gpu._common import INSUFFICIENT_GPU_RE, gpu_pods, pod_gpu_requests
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import pods as k8s_pods
from homelabctl.k8s import quotas as k8s_quotas
from homelabctl.kube import pod_node
from homelabctl.model import Finding, Layer, Nature, Resource, Severity


@check(
    "gpu-pod-no-priority-class",
    layer=Layer.GPU,
    severity=Severity.INFO,
    requires=[kinds.POD],
    uses=[kinds.PRIORITY_CLASS],
    nature=Nature.CONFIGURATION,
)
def gpu_pod_no_priority_class(ctx: CheckContext) -> Iterator[Finding]:
    """GPU workload without a PriorityClass.

    Reads the pods that request a GPU resource (``nvidia.com/gpu`` in limits or requests) and their
    ``spec.priorityClassName``; one finding per workload (the top of the pod's owner chain). Without a
    PriorityClass every GPU pod has the same priority, so when the GPU slices run out the scheduler cannot
    preempt a batch job to start an important service: whoever came first keeps the GPU. Info, warning
    while some GPU pod is Pending for lack of a GPU (the contention is real right now).

    Next step: create a PriorityClass (``kubectl create priorityclass gpu-critical --value=100000``) and set
    ``priorityClassName`` in the chart values of the workloads that must win.
    """
    contention = False
    missing: dict[tuple[str, str | None, str], tuple[Resource, list[Resource]]] = {}
    for pod, _gpus in gpu_pods(ctx.index):
        if k8s_pods.phase(pod) == "Pending" and INSUFFICIENT_GPU_RE.search(
            str((pod.condition("PodScheduled") or {}).get("message") or "")
        ):
            contention = True
        if k8s_pods.scheduling(pod).priority_class_name:
            continue
        top = ctx.index.top_owner(pod)
        key = (top.kind, top.namespace, top.name)
        missing.setdefault(key, (top, []))[1].append(pod)
    classes = [pc for pc in ctx.index.all(kinds.PRIORITY_CLASS) if not pc.name.startswith("system-")]
    if ctx.readable(kinds.PRIORITY_CLASS):
        existing = (
            ", ".join(f"{pc.name}={k8s_quotas.priority_value(pc)}" for pc in classes)
            or "none besides system-cluster-critical/system-node-critical"
        )
        classes_line = f"PriorityClasses in the cluster: {existing}"
    else:
        classes_line = ""
    for (kind, namespace, name), (top, pods) in sorted(
        missing.items(), key=lambda item: (item[0][1] or "", item[0][2])
    ):
        evidence = [
            f"pod {pod.name} requests "
            + ", ".join(f"{n} {r}" for r, n in pod_gpu_requests(pod).items())
            + (f" on {pod_node(pod)}" if pod_node(pod) else "")
            + f", priority={k8s_pods.scheduling(pod).priority}"
            for pod in sorted(pods, key=lambda p: p.name)[:4]
        ]
        evidence.append(classes_line)
        if contention:
            evidence.append("GPU pods are Pending for lack of a GPU right now (see gpu-insufficient)")
        target = top if top.kind != "Pod" else pods[0]
        yield ctx.finding(
            target,
            f"{kind} {namespace}/{name} uses a GPU without a PriorityClass",
            evidence=evidence,
            hint=(
                "Create a PriorityClass for GPU workloads that must win (`kubectl create priorityclass "
                "gpu-critical --value=100000 --description='GPU services'`) and set priorityClassName in "
                f"{kind} {namespace}/{name}'s pod template"
            ),
            severity=Severity.WARNING if contention else Severity.INFO,
        )
