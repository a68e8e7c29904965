"""node-runtime-handler-missing: a node's container runtime has no handler for a RuntimeClass its pods use.

Sandbox errors as the kubelet reports them: containerd's "no runtime for ... is configured"
(https://github.com/NVIDIA/gpu-operator/issues/730, https://github.com/NVIDIA/k8s-device-plugin/issues/479)
and CRI-O's "RuntimeHandler ... not supported".
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from checks.helpers import findings
from homelabctl.k8s.runtime_handlers import missing_handler

from factories import node
from factories_apps import CILIUM_RANGE_FULL, sandbox_stuck_pods

CONTAINERD = (
    "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: "
    'no runtime for "nvidia" is configured'
)
CRIO = (
    "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to create pod network sandbox "
    'k8s_ollama: RuntimeHandler "nvidia" not supported'
)


def runtime_class(name: str, handler: str) -> dict[str, Any]:
    return {
        "apiVersion": "node.k8s.io/v1",
        "kind": "RuntimeClass",
        "metadata": {"name": name, "uid": f"rc-{name}", "creationTimestamp": "2025-06-01T00:00:00Z"},
        "handler": handler,
    }


def test_fires_on_the_node_whose_runtime_lacks_the_handler() -> None:
    gpu = node("k3s3")
    gpu["status"]["runtimeHandlers"] = [{"name": ""}, {"name": "runc"}]
    objs = [
        gpu,
        runtime_class("nvidia", "nvidia"),
        *sandbox_stuck_pods("ollama", "k3s3", CONTAINERD),
        *sandbox_stuck_pods("faster-whisper", "k3s3", CONTAINERD),
    ]
    [finding] = findings("node-runtime-handler-missing", objs)
    assert (finding.object.kind, finding.object.name) == ("Node", "k3s3")
    assert finding.layer.value == "node" and finding.severity.value == "critical"
    assert "2 pod(s)" in finding.message and "'nvidia'" in finding.message
    assert any('no runtime for "nvidia" is configured (x96)' in e for e in finding.evidence)
    assert "RuntimeClass nvidia has handler nvidia: the node's runtime must define it" in finding.evidence
    assert "handlers k3s3 reports: (default), runc" in finding.evidence


def test_reads_cri_o_and_says_when_no_runtime_class_names_the_handler() -> None:
    [finding] = findings(
        "node-runtime-handler-missing",
        [node("k3s1"), *sandbox_stuck_pods("ollama", "k3s1", CRIO)],
        captured=["RuntimeClass.node.k8s.io"],
    )
    assert finding.object.name == "k3s1"
    assert "no RuntimeClass has handler nvidia" in finding.evidence


def test_silent_on_other_sandbox_errors() -> None:
    assert (
        findings(
            "node-runtime-handler-missing",
            [node("k3s2"), *sandbox_stuck_pods("sonarr", "k3s2", CILIUM_RANGE_FULL)],
        )
        == []
    )


def test_missing_handler_reads_both_runtimes() -> None:
    assert missing_handler(CONTAINERD) == "nvidia"
    assert missing_handler(CRIO) == "nvidia"
    assert missing_handler(CILIUM_RANGE_FULL) == ""


@given(st.text(max_size=300))
def test_missing_handler_returns_a_name_from_the_message(message: str) -> None:
    name = missing_handler(message)
    assert name == "" or f'"{name}"' in message


def test_silent_once_the_refused_pod_is_ready() -> None:
    objs = [node("k3s3"), *sandbox_stuck_pods("ollama", "k3s3", CONTAINERD)]
    assert objs[3]["kind"] == "Pod" and findings("node-runtime-handler-missing", objs)  # fires while it waits
    objs[3]["status"]["conditions"] = [{"type": "Ready", "status": "True"}]
    objs[3]["status"]["phase"] = "Running"
    assert findings("node-runtime-handler-missing", objs) == []
