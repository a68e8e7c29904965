"""GPU readings: which pods ask for which GPU resource, what nodes offer, and how a GPU is shared."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from homelabctl.k8s import memo, nodes, pods
from homelabctl.k8s.pod_trouble import live_pods
from homelabctl.kube import pod_is_finished, pod_template_spec, requested
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Resource
from homelabctl.sources.index import ClusterIndex

GPU_RESOURCE_PREFIXES = ("nvidia.com/gpu", "nvidia.com/mig-", "gpu.intel.com/", "amd.com/gpu")
INSUFFICIENT_GPU_RE = LazyPattern(
    r"Insufficient ((?:nvidia\.com/(?:gpu[\w.]*|mig-[\w.-]+))|gpu\.intel\.com/[\w.-]+|amd\.com/gpu)"
)

# Labels gpu-feature-discovery puts on nodes (NVIDIA GPU operator / k8s-device-plugin with GFD).
LABEL_REPLICAS = "nvidia.com/gpu.replicas"
LABEL_SHARING = "nvidia.com/gpu.sharing-strategy"
LABEL_PRODUCT = "nvidia.com/gpu.product"
LABEL_COUNT = "nvidia.com/gpu.count"
LABEL_MEMORY = "nvidia.com/gpu.memory"


def is_gpu_resource(name: str) -> bool:
    return name.startswith(GPU_RESOURCE_PREFIXES)


def gpu_requests(pod_spec: Mapping[str, Any]) -> dict[str, int]:
    """GPU resources a pod (spec) asks for, by resource name; extended resources are whole numbers."""
    names: set[str] = set()
    for container in pod_spec.get("containers") or []:
        resources = container.get("resources") or {}
        for section in ("limits", "requests"):
            for k in resources.get(section) or {}:
                # is_gpu_resource, inline, and no str() of a key that is one: every pod is asked
                if (k if type(k) is str else str(k)).startswith(GPU_RESOURCE_PREFIXES):
                    names.add(k)
    if not names:
        return {}
    found = {name: requested(pod_spec, name) for name in sorted(names)}
    return {name: count for name, count in found.items() if count > 0}


def pod_gpu_requests(pod: Resource) -> dict[str, int]:
    return gpu_requests(pod_template_spec(pod))


def gpu_pods(index: ClusterIndex) -> list[tuple[Resource, dict[str, int]]]:
    """The pods that are not finished and ask for a GPU, with what they ask for, in the index's order: read
    once per run (k8s.memo) for the checks that each walked every pod for it."""
    return memo.remembered("gpu-pods", index, lambda: _gpu_pods(index))


def _gpu_pods(index: ClusterIndex) -> list[tuple[Resource, dict[str, int]]]:
    found = []
    for pod in live_pods(index):
        if pod_is_finished(pod):
            continue
        gpus = gpu_requests(pod.spec)  # pod_gpu_requests: a Pod's pod spec is its own spec
        if gpus:
            found.append((pod, gpus))
    return found


def node_gpus(node: Resource) -> dict[str, tuple[int, int]]:
    """GPU resources a node advertises: name → (capacity, allocatable)."""
    capacity = nodes.capacity(node)
    allocatable = nodes.allocatable(node)
    result: dict[str, tuple[int, int]] = {}
    for name in sorted(set(capacity) | set(allocatable)):
        if not is_gpu_resource(str(name)):
            continue
        result[str(name)] = (_int(capacity.get(name)), _int(allocatable.get(name)))
    return result


def _int(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


class Sharing(msgspec.Struct, frozen=True):
    strategy: str
    """``time-slicing``, ``mps`` or ``none``."""
    replicas: int
    physical: int
    product: str
    memory_mib: int

    @property
    def shared(self) -> bool:
        return self.strategy in ("time-slicing", "mps")

    def describe(self) -> str:
        gpu = self.product or "GPU"
        mem = f" ({self.memory_mib // 1024} GiB)" if self.memory_mib else ""
        if not self.shared:
            return f"{self.physical or '?'}× {gpu}{mem}"
        how = "time-sliced" if self.strategy == "time-slicing" else "shared with MPS"
        return f"{self.physical or '?'}× {gpu}{mem} {how} into {self.replicas} slices each"


def node_sharing(node: Resource) -> Sharing:
    """How the node's NVIDIA GPU is shared, from gpu-feature-discovery labels.

    Time-slicing shows as ``nvidia.com/gpu.replicas`` > 1 (newer GFD also sets
    ``nvidia.com/gpu.sharing-strategy``, and ``renameByDefault: false`` suffixes the product with -SHARED).
    """
    labels = node.labels
    replicas = _int(labels.get(LABEL_REPLICAS)) or 1
    strategy = labels.get(LABEL_SHARING, "")
    product = labels.get(LABEL_PRODUCT, "")
    if strategy not in ("time-slicing", "mps"):
        strategy = "time-slicing" if replicas > 1 or product.endswith("-SHARED") else "none"
    return Sharing(
        strategy,
        replicas,
        _int(labels.get(LABEL_COUNT)),
        product.removesuffix("-SHARED"),
        _int(labels.get(LABEL_MEMORY)),
    )


def gpu_holders(index: ClusterIndex, node_name: str, resource: str) -> list[tuple[Resource, int]]:
    """Pods bound to the node that hold some of ``resource`` (finished pods have released theirs)."""
    holders = []
    for pod in index.pods_on_node(node_name):
        if pod_is_finished(pod):
            continue
        count = pod_gpu_requests(pod).get(resource, 0)
        if count:
            holders.append((pod, count))
    return sorted(holders, key=lambda item: (item[0].namespace or "", item[0].name))


def holder_line(pod: Resource, count: int, resource: str) -> str:
    prio = pods.scheduling(pod).priority_class_name
    extra = f", priorityClassName={prio}" if prio else ", no priorityClassName"
    return f"{pod.namespace}/{pod.name} holds {count} {resource} ({pods.phase(pod) or '?'}{extra})"
