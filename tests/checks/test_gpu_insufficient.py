from __future__ import annotations

from typing import Any

from factories import node
from factories_apps import (
    gpu_deployment,
    gpu_labels,
    gpu_pod,
    pending_pod,
    scheduler_event,
    unschedulable_conditions,
)
from helpers import findings, run_one

GPU_MESSAGE = (
    "0/4 nodes are available: 1 Insufficient nvidia.com/gpu, 3 node(s) didn't match Pod's node "
    "affinity/selector. preemption: 0/4 nodes are available: 1 No preemption victims found for "
    "incoming pod, 3 Preemption is not helpful for scheduling."
)


def t4_node() -> dict[str, Any]:
    return node("k3s3", labels=gpu_labels(replicas=4), allocatable={"nvidia.com/gpu": "4"})


def holders() -> list[dict[str, Any]]:
    objs: list[dict[str, Any]] = []
    for name, ns, image in (
        ("jellyfin", "media", "jellyfin/jellyfin:10.9.11"),
        ("ollama", "ai", "ollama/ollama:0.3.12"),
        ("automatic1111", "ai", "ghcr.io/neggles/sd-webui-docker:latest"),
        ("frigate", "home", "ghcr.io/blakeblackshear/frigate:0.14.1-tensorrt"),
    ):
        deploy = gpu_deployment(name, ns, image)
        objs.extend([deploy, *gpu_pod(deploy)])
    return objs


def test_fires_with_capacity_and_who_holds_the_gpus() -> None:
    plex = gpu_deployment("plex", "media", "lscr.io/linuxserver/plex:1.41.0", ready=0)
    rs, waiting = gpu_pod(
        plex,
        "6c9d7f8b4-l2m3n",
        node_name=None,
        phase="Pending",
        conditions=unschedulable_conditions(GPU_MESSAGE),
    )
    found = findings("gpu-insufficient", [t4_node(), node("k3s1"), *holders(), plex, rs, waiting])
    assert [f.object.name for f in found] == ["plex-6c9d7f8b4-l2m3n"]
    finding = found[0]
    assert finding.severity.value == "critical"
    assert finding.message == (
        "Pod media/plex-6c9d7f8b4-l2m3n is Pending: no node has a free nvidia.com/gpu (all 4 allocated)"
    )
    text = "\n".join(finding.evidence)
    assert "Insufficient nvidia.com/gpu" in text
    assert "pod requests 1 nvidia.com/gpu" in text
    assert (
        "node k3s3: nvidia.com/gpu capacity=4 allocatable=4, 4 requested by 4 pod(s), 1× Tesla-T4 (15 GiB) "
        "time-sliced into 4 slices each"
    ) in text
    assert "on k3s3: ai/ollama-5c7b9d8f6-x2x4q holds 1 nvidia.com/gpu (Running, no priorityClassName)" in text
    assert "owned by Deployment media/plex" in text
    assert "PriorityClass" in finding.hint


def test_no_node_advertising_gpus_points_at_the_device_plugin() -> None:
    waiting = pending_pod("ollama-0", "ai", "0/4 nodes are available: 4 Insufficient nvidia.com/gpu.")
    found = findings("gpu-insufficient", [node("k3s3"), waiting, scheduler_event(waiting, "x")])
    assert any("no node advertises nvidia.com/gpu" in e for e in found[0].evidence)
    assert "device plugin" in found[0].hint


def test_silent_on_other_pending_reasons_and_running_gpu_pods() -> None:
    other = pending_pod("web-0", "apps", "0/4 nodes are available: 4 Insufficient memory.")
    assert findings("gpu-insufficient", [t4_node(), other, *holders()]) == []


def test_not_evaluated_without_pods() -> None:
    assert run_one("gpu-insufficient", [t4_node()]).status == "not_evaluated"
