from __future__ import annotations

from datetime import timedelta

from factories import container_status, event, pod, ts
from factories_apps import gpu_container, pending_pod, scheduler_event
from helpers import findings, run_one

UNSCHEDULABLE = (
    "0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, "
    "3 Insufficient memory. preemption: 0/4 nodes are available: 1 Preemption is not helpful for "
    "scheduling, 3 No preemption victims found for incoming pod."
)


def test_fires_with_scheduler_message_and_failed_scheduling_event() -> None:
    obj = pending_pod("label-studio-0", "apps", UNSCHEDULABLE, age=timedelta(hours=3))
    found = findings("pod-pending", [obj, scheduler_event(obj, UNSCHEDULABLE, count=52)])
    assert [f.object.name for f in found] == ["label-studio-0"]
    finding = found[0]
    assert finding.severity.value == "critical"  # pending for hours
    assert "cannot be scheduled (Pending 3h)" in finding.message
    assert "0/4 nodes are available" in finding.message
    text = "\n".join(finding.evidence)
    assert f"PodScheduled=False reason=Unschedulable: {UNSCHEDULABLE}" in text
    assert "event Warning FailedScheduling (x52" in text


def test_recent_pending_is_a_warning_and_very_recent_is_silent() -> None:
    recent = pending_pod("a", "apps", UNSCHEDULABLE, age=timedelta(minutes=10))
    fresh = pending_pod("b", "apps", UNSCHEDULABLE, age=timedelta(seconds=30))
    found = findings("pod-pending", [recent, fresh])
    assert [(f.object.name, f.severity.value) for f in found] == [("a", "warning")]


def test_container_creating_with_failed_mount_event() -> None:
    image = "lscr.io/linuxserver/sonarr:4.0.9"
    obj = pod(
        "sonarr-0",
        "media",
        phase="Pending",
        containers=[{"name": "sonarr", "image": image}],
        statuses=[container_status("sonarr", image, state="waiting", reason="ContainerCreating")],
    )
    mount = event(
        obj,
        "FailedMount",
        'MountVolume.MountDevice failed for volume "pvc-3f2a" : kubernetes.io/csi: '
        "attacher.MountDevice failed to create newCsiDriverClient: driver name driver.longhorn.io not "
        "found in the list of registered CSI drivers",
        count=14,
    )
    found = findings("pod-pending", [obj, mount])
    assert "scheduled to k3s2 but its containers have not started after 2d" in found[0].message
    assert any("not found in the list of registered CSI drivers" in e for e in found[0].evidence)


def test_leaves_gpu_shortage_image_pulls_and_running_pods_to_other_checks() -> None:
    gpu = pending_pod(
        "ollama-0",
        "ai",
        "0/4 nodes are available: 1 Insufficient nvidia.com/gpu, 3 node(s) didn't "
        "match Pod's node affinity/selector.",
        containers=[gpu_container("ollama", "ollama/ollama")],
    )
    image = "ghcr.io/example/app:9.9.9"
    pulling = pod(
        "app-0",
        phase="Pending",
        statuses=[container_status("app", image, state="waiting", reason="ImagePullBackOff")],
    )
    assert findings("pod-pending", [gpu, pulling, pod("running")]) == []


def test_not_evaluated_without_pods() -> None:
    assert run_one("pod-pending", []).status == "not_evaluated"


def test_silent_on_pods_held_by_scheduling_gates() -> None:
    gated = pod(
        "batch-1",
        "ai",
        node_name=None,
        phase="Pending",
        statuses=[],
        conditions=[
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "SchedulingGated",
                "message": "Scheduling is blocked due to non-empty scheduling gates",
                "lastProbeTime": None,
                "lastTransitionTime": ts(timedelta(hours=24)),
            }
        ],
    )
    gated["spec"]["schedulingGates"] = [{"name": "kueue.x-k8s.io/admission"}]
    assert findings("pod-pending", [gated]) == []
