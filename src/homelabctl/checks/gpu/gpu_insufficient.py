from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.gpu._common import (
    INSUFFICIENT_GPU_RE,
    gpu_holders,
    holder_line,
    node_gpus,
    node_sharing,
    pod_gpu_requests,
)
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import age_of, event_lines, first_lines, owner_line
from homelabctl.k8s.pod_trouble import pending_pods
from homelabctl.model import Finding, Layer, Severity

MAX_HOLDERS = 8


@check(
    "gpu-insufficient",
    layer=Layer.GPU,
    severity=Severity.CRITICAL,
    requires=[kinds.POD],
    uses=[kinds.NODE, kinds.EVENT],
)
def gpu_insufficient(ctx: CheckContext) -> Iterator[Finding]:
    """Pod Pending because no node has a free GPU (Insufficient nvidia.com/gpu).

    Reads Pending pods whose ``PodScheduled`` condition (or ``FailedScheduling`` event) says
    "Insufficient nvidia.com/gpu" (or another GPU resource), then, for every node that advertises that
    resource, its capacity/allocatable, how the GPU is shared (gpu-feature-discovery labels) and which
    running pods hold the GPU replicas, with their PriorityClass. Without a PriorityClass the scheduler
    cannot preempt a batch job to make room for an important service, so first come, first served.
    If no node advertises the resource at all, the NVIDIA device plugin is not running.

    Next step: scale down a less important holder (``kubectl scale -n NS deploy/NAME --replicas=0``), give
    critical GPU workloads a higher PriorityClass, or raise the time-slicing replicas in the device
    plugin's config (more slices, same 16 GB of memory).
    """
    nodes = list(ctx.index.all(kinds.NODE))
    for pod in pending_pods(ctx.index):
        cond = pod.condition("PodScheduled") or {}
        message = str(cond.get("message") or "")
        match = INSUFFICIENT_GPU_RE.search(message)
        if match is None:
            for line in event_lines(ctx.index, pod, ("FailedScheduling",), limit=1):
                match = INSUFFICIENT_GPU_RE.search(line)
                if match:
                    message = line
                    break
        if match is None:
            continue
        resource = match.group(1)
        wanted = pod_gpu_requests(pod)
        evidence = [
            f"PodScheduled=False reason={cond.get('reason', '?')} "
            f"(Pending {age_of(cond.get('lastTransitionTime') or pod.creation_timestamp, ctx.now)}): "
            f"{first_lines(message, lines=1, width=400)}",
            "pod requests " + (", ".join(f"{n} {r}" for r, n in wanted.items()) or f"some {resource}"),
        ]
        offering = [(node, node_gpus(node)[resource]) for node in nodes if resource in node_gpus(node)]
        total_free = 0
        for node, (capacity, allocatable) in offering:
            holders = gpu_holders(ctx.index, node.name, resource)
            used = sum(count for _, count in holders)
            total_free += max(0, allocatable - used)
            sharing = node_sharing(node)
            shared = f", {sharing.describe()}" if sharing.product or sharing.shared else ""
            evidence.append(
                f"node {node.name}: {resource} capacity={capacity} allocatable={allocatable}, "
                f"{used} requested by {len(holders)} pod(s){shared}"
            )
            evidence.extend(
                f"on {node.name}: {holder_line(holder, count, resource)}"
                for holder, count in holders[:MAX_HOLDERS]
            )
        if nodes and not offering:
            evidence.append(f"no node advertises {resource}: the device plugin is not registering the GPU")
        elif not nodes:
            evidence.append("Nodes are not in the snapshot: GPU capacity and holders unknown")
        evidence.append(owner_line(ctx.index, pod))
        if nodes and not offering:
            hint = (
                "Check the NVIDIA device plugin DaemonSet on the GPU node "
                "(`kubectl get pods -A -l app.kubernetes.io/name=nvidia-device-plugin -o wide`) and "
                "`kubectl describe node` for nvidia.com/gpu under Capacity"
            )
        else:
            hint = (
                "Free a GPU slice: scale down a less important holder listed above "
                "(`kubectl scale -n NS deploy/NAME --replicas=0`), or give critical GPU workloads a higher "
                "PriorityClass so the scheduler can preempt batch jobs"
            )
        yield ctx.finding(
            pod,
            f"Pod {pod.namespace}/{pod.name} is Pending: no node has a free {resource}"
            + (
                f" (all {sum(a for _, (_, a) in offering)} allocated)" if offering and total_free == 0 else ""
            ),
            evidence=evidence,
            hint=hint,
        )
