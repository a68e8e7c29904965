from __future__ import annotations

from factories import node
from factories_apps import crashloop_status, daemonset, dcgm_exporter, device_plugin, gpu_labels, owned_pod
from helpers import findings, run_one

DCGM_IMAGE = "nvcr.io/nvidia/k8s/dcgm-exporter:3.3.5-3.4.1-ubuntu22.04"
DCGM_MESSAGE = (
    "Error: failed to initialize NVML: could not load NVML library\n"
    'level=fatal msg="Error starting nv-hostengine: DCGM initialization error"'
)


def test_dcgm_exporter_crashloop_is_reported_on_its_daemonset() -> None:
    ds = dcgm_exporter(desired=1, ready=0)
    failing = owned_pod(
        ds,
        "r7k2m",
        node_name="k3s3",
        ready=False,
        statuses=[crashloop_status("nvidia-dcgm-exporter", DCGM_IMAGE, restarts=318, message=DCGM_MESSAGE)],
    )
    t4 = node("k3s3", labels=gpu_labels(), allocatable={"nvidia.com/gpu": "4"})
    found = findings("gpu-plugin-failing", [ds, failing, t4])
    assert [(f.object.kind, f.object.name) for f in found] == [("DaemonSet", "nvidia-dcgm-exporter")]
    finding = found[0]
    assert finding.severity.value == "warning"
    assert finding.message.startswith(
        "DCGM exporter DaemonSet gpu-operator/nvidia-dcgm-exporter is not ready on k3s3"
    )
    assert "no GPU metrics" in finding.message
    text = "\n".join(finding.evidence)
    assert "pod nvidia-dcgm-exporter-r7k2m on k3s3: CrashLoopBackOff, restarts=318" in text
    assert "failed to initialize NVML" in text
    assert "node k3s3 allocatable: nvidia.com/gpu=4" in text
    assert "nvidia-smi" in finding.hint


def test_device_plugin_identified_by_image_even_without_labels() -> None:
    ds = daemonset(
        "gpu-plugin",
        "kube-system",
        labels={"name": "gpu-plugin"},
        desired=1,
        ready=0,
        containers=[{"name": "plugin", "image": "nvcr.io/nvidia/k8s-device-plugin:v0.15.0"}],
    )
    failing = owned_pod(
        ds,
        "a1b2c",
        node_name="k3s3",
        ready=False,
        statuses=[crashloop_status("plugin", "nvcr.io/nvidia/k8s-device-plugin:v0.15.0")],
    )
    found = findings("gpu-plugin-failing", [ds, failing, node("k3s3")])
    assert "NVIDIA device plugin" in found[0].message
    assert "node k3s3 allocatable: no GPU resource" in found[0].evidence


def test_silent_when_gpu_stack_is_ready_and_for_other_pods() -> None:
    ds = device_plugin()
    other = daemonset("promtail", "monitoring", desired=1, ready=0)
    objs = [
        ds,
        owned_pod(ds, "z9y8x", node_name="k3s3"),
        other,
        owned_pod(
            other, "q1w2e", ready=False, statuses=[crashloop_status("promtail", "grafana/promtail:3.0.0")]
        ),
    ]
    assert findings("gpu-plugin-failing", objs) == []


def test_not_evaluated_without_pods() -> None:
    assert run_one("gpu-plugin-failing", [dcgm_exporter()]).status == "not_evaluated"
