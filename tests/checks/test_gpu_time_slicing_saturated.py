from __future__ import annotations

from typing import Any

from factories import node
from factories_apps import gpu_deployment, gpu_labels, gpu_pod
from helpers import findings, run_one


def _pods(count: int) -> list[dict[str, Any]]:
    objs: list[dict[str, Any]] = []
    for name in ("jellyfin", "ollama", "automatic1111", "frigate")[:count]:
        deploy = gpu_deployment(name, "ai", f"ghcr.io/example/{name}:1")
        objs.extend([deploy, *gpu_pod(deploy)])
    return objs


def test_fires_when_every_slice_is_requested_with_memory_isolation_note() -> None:
    t4 = node("k3s3", labels=gpu_labels(replicas=4), allocatable={"nvidia.com/gpu": "4"})
    found = findings("gpu-time-slicing-saturated", [t4, node("k3s1"), *_pods(4)])
    assert [(f.object.kind, f.object.name) for f in found] == [("Node", "k3s3")]
    finding = found[0]
    assert finding.severity.value == "warning"
    assert finding.message == "Node k3s3's time-sliced Tesla-T4 is fully allocated (4/4 nvidia.com/gpu)"
    text = "\n".join(finding.evidence)
    assert "allocatable=4, requested=4 by 4 pod(s)" in text
    assert "ai/frigate-5c7b9d8f6-x2x4q holds 1 nvidia.com/gpu" in text
    assert "time-slicing shares 15 GiB of GPU memory with no isolation" in text


def test_detects_time_slicing_from_the_shared_product_suffix() -> None:
    labels = gpu_labels(replicas=4, shared_suffix=True)
    del labels["nvidia.com/gpu.sharing-strategy"]
    t4 = node("k3s3", labels=labels, allocatable={"nvidia.com/gpu": "4"})
    assert len(findings("gpu-time-slicing-saturated", [t4, *_pods(4)])) == 1


def test_silent_with_free_slices_or_a_dedicated_gpu() -> None:
    t4 = node("k3s3", labels=gpu_labels(replicas=4), allocatable={"nvidia.com/gpu": "4"})
    dedicated = node("k3s4", labels=gpu_labels(replicas=1), allocatable={"nvidia.com/gpu": "1"})
    assert findings("gpu-time-slicing-saturated", [t4, dedicated, *_pods(3)]) == []


def test_not_evaluated_without_nodes() -> None:
    assert run_one("gpu-time-slicing-saturated", _pods(1)).status == "not_evaluated"
