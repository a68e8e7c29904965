from __future__ import annotations

from factories import pod
from factories_apps import gpu_deployment, gpu_pod, resource_quota
from helpers import findings, run_one


def test_fires_for_namespace_whose_quota_does_not_limit_gpus() -> None:
    ollama = gpu_deployment("ollama", "ai", "ollama/ollama:0.3.12")
    a1111 = gpu_deployment("automatic1111", "ai", "ghcr.io/neggles/sd-webui-docker:latest", gpus=2)
    quota = resource_quota("compute", "ai", {"requests.cpu": "8", "limits.memory": "64Gi"})
    jellyfin = gpu_deployment("jellyfin", "media", "jellyfin/jellyfin:10.9.11")
    gpu_quota = resource_quota(
        "gpu", "media", {"requests.nvidia.com/gpu": "1"}, {"requests.nvidia.com/gpu": "1"}
    )
    objs = [ollama, *gpu_pod(ollama), a1111, *gpu_pod(a1111), quota, jellyfin, *gpu_pod(jellyfin), gpu_quota]
    found = findings("gpu-namespace-no-quota", objs)
    assert [(f.object.kind, f.object.name) for f in found] == [("Namespace", "ai")]
    finding = found[0]
    assert finding.message == "Namespace ai runs GPU pods with no quota on requests.nvidia.com/gpu"
    text = "\n".join(finding.evidence)
    assert "GPU requests in ai: 3 nvidia.com/gpu" in text
    assert "pod automatic1111-5c7b9d8f6-x2x4q requests 2 nvidia.com/gpu" in text
    assert "ResourceQuota compute limits only: limits.memory, requests.cpu" in text
    assert "kubectl create quota gpu -n ai --hard=requests.nvidia.com/gpu=3" in finding.hint


def test_silent_without_gpu_pods_or_with_gpu_quota() -> None:
    jellyfin = gpu_deployment("jellyfin", "media", "jellyfin/jellyfin:10.9.11")
    quota = resource_quota("gpu", "media", {"requests.nvidia.com/gpu": "2"})
    assert findings("gpu-namespace-no-quota", [jellyfin, *gpu_pod(jellyfin), quota, pod("web")]) == []


def test_not_evaluated_when_quotas_were_not_read() -> None:
    ollama = gpu_deployment("ollama", "ai", "ollama/ollama:0.3.12")
    result = run_one("gpu-namespace-no-quota", [ollama, *gpu_pod(ollama)])
    assert result.status == "not_evaluated"
    assert "ResourceQuota" in result.reason


def test_evaluated_when_quotas_were_read_and_there_are_none() -> None:
    ollama = gpu_deployment("ollama", "ai", "ollama/ollama:0.3.12")
    found = findings("gpu-namespace-no-quota", [ollama, *gpu_pod(ollama)], captured=["ResourceQuota"])
    assert "no ResourceQuota in namespace ai" in found[0].evidence
