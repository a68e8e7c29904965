from __future__ import annotations

from factories import node
from factories_apps import gpu_deployment, gpu_pod, pending_pod, priority_class
from helpers import findings, run_one


def test_fires_once_per_workload_with_existing_classes() -> None:
    ollama = gpu_deployment("ollama", "ai", "ollama/ollama:0.3.12", replicas=2)
    rs, first = gpu_pod(ollama, "5c7b9d8f6-aaaaa")
    _, second = gpu_pod(ollama, "5c7b9d8f6-bbbbb")
    objs = [ollama, rs, first, second, priority_class("system-node-critical", 2000001000)]
    found = findings("gpu-pod-no-priority-class", objs)
    assert [(f.object.kind, f.object.name) for f in found] == [("Deployment", "ollama")]
    finding = found[0]
    assert finding.severity.value == "info"
    assert finding.message == "Deployment ai/ollama uses a GPU without a PriorityClass"
    text = "\n".join(finding.evidence)
    assert "pod ollama-5c7b9d8f6-aaaaa requests 1 nvidia.com/gpu on k3s3, priority=0" in text
    assert "PriorityClasses in the cluster: none besides system-cluster-critical/system-node-critical" in text
    assert "kubectl create priorityclass" in finding.hint


def test_warning_while_gpu_pods_are_pending_for_lack_of_a_gpu() -> None:
    ollama = gpu_deployment("ollama", "ai", "ollama/ollama:0.3.12")
    waiting = pending_pod(
        "plex-0",
        "media",
        "0/4 nodes are available: 1 Insufficient nvidia.com/gpu.",
        containers=ollama["spec"]["template"]["spec"]["containers"],
        priority_class="media-critical",
    )
    found = findings("gpu-pod-no-priority-class", [ollama, *gpu_pod(ollama), waiting])
    assert [(f.object.name, f.severity.value) for f in found] == [("ollama", "warning")]


def test_silent_when_gpu_pods_have_a_priority_class() -> None:
    frigate = gpu_deployment(
        "frigate", "home", "ghcr.io/blakeblackshear/frigate:0.14.1", priority_class="gpu-critical"
    )
    objs = [frigate, *gpu_pod(frigate), priority_class("gpu-critical", 100000), node("k3s3")]
    assert findings("gpu-pod-no-priority-class", objs) == []


def test_not_evaluated_without_pods() -> None:
    assert run_one("gpu-pod-no-priority-class", []).status == "not_evaluated"
