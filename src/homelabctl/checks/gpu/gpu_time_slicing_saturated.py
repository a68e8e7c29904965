from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.gpu._common import gpu_holders, holder_line, node_gpus, node_sharing
from homelabctl.checks.registry import CheckContext, check
from homelabctl.model import Finding, Layer, Severity


@check(
    "gpu-time-slicing-saturated", layer=Layer.GPU, severity=Severity.WARNING, requires=[kinds.NODE, kinds.POD]
)
def gpu_time_slicing_saturated(ctx: CheckContext) -> Iterator[Finding]:
    """Time-sliced GPU fully allocated: every slice is taken, and the slices share one GPU's memory.

    Reads each node's allocatable GPU resources and the gpu-feature-discovery labels
    (``nvidia.com/gpu.replicas``, ``nvidia.com/gpu.sharing-strategy``, ``nvidia.com/gpu.product``), then
    sums the GPU requests of the pods bound to it that have not finished. When a shared (time-sliced or
    MPS) GPU has all its replicas requested, the next GPU pod stays Pending, and the pods already there
    compete for the same physical memory: time-slicing gives no memory isolation, so one model that grows
    makes the others fail with CUDA out-of-memory errors. A dedicated (not shared) GPU in full use is
    normal and not reported.

    Next step: document VRAM use per service (``nvidia-smi`` on the node), cap what each app loads (e.g.
    Ollama ``OLLAMA_MAX_LOADED_MODELS=1``), and give the critical GPU workloads a PriorityClass.
    """
    for node in ctx.index.all(kinds.NODE):
        sharing = node_sharing(node)
        if not sharing.shared:
            continue
        for resource, (_capacity, allocatable) in node_gpus(node).items():
            if not resource.startswith("nvidia.com/gpu") or allocatable <= 0:
                continue
            holders = gpu_holders(ctx.index, node.name, resource)
            used = sum(count for _, count in holders)
            if used < allocatable:
                continue
            evidence = [
                f"{resource}: allocatable={allocatable}, requested={used} by {len(holders)} pod(s)",
                f"{sharing.describe()} (node label nvidia.com/gpu.replicas="
                f"{node.labels.get('nvidia.com/gpu.replicas', '?')})",
            ]
            evidence.extend(holder_line(pod, count, resource) for pod, count in holders)
            memory = f"{sharing.memory_mib // 1024} GiB of " if sharing.memory_mib else ""
            evidence.append(f"time-slicing shares {memory}GPU memory with no isolation between these pods")
            yield ctx.finding(
                node,
                f"Node {node.name}'s time-sliced {sharing.product or 'GPU'} is fully allocated "
                f"({used}/{allocatable} {resource})",
                evidence=evidence,
                hint=(
                    "Check real VRAM use with `nvidia-smi` on the node, limit what each app loads, and give "
                    "critical GPU workloads a PriorityClass; a new GPU pod will stay Pending until a slice "
                    "is freed"
                ),
            )
