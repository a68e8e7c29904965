from __future__ import annotations

from datetime import timedelta

from factories import event, node, pod
from helpers import findings, run_one

NOT_REGISTERED = (
    'MountVolume.MountDevice failed for volume "pvc-0b6f3c1e-8d5a-4f0e-9a7c-2f1d3e4b5a6c" : '
    "kubernetes.io/csi: attacher.MountDevice failed to create newCsiDriverClient: driver name "
    "driver.longhorn.io not found in the list of registered CSI drivers"
)
MULTI_ATTACH = (
    'Multi-Attach error for volume "pvc-3c2b1a09-1111-4222-8333-944455566677" Volume is already '
    "exclusively attached to one node and can't be attached to another"
)


def _waiting(name: str, node_name: str = "k3s1") -> dict[str, object]:
    return pod(name, "media", node_name=node_name, phase="Pending")


def test_fires_with_quoted_message_count_and_csi_hint() -> None:
    jellyfin = _waiting("jellyfin-0")
    objs = [
        node("k3s1"),
        jellyfin,
        event(jellyfin, "FailedMount", NOT_REGISTERED, count=23),
        event(
            jellyfin,
            "FailedMount",
            "Unable to attach or mount volumes: unmounted volumes=[config], "
            "unattached volumes=[config media]: timed out waiting for the condition",
            count=9,
            age=timedelta(minutes=6),
        ),
    ]
    found = findings("failed-mount-events", objs)
    assert [(f.object.kind, f.object.name) for f in found] == [("Pod", "jellyfin-0")]
    f = found[0]
    assert f.message == (
        "Pod media/jellyfin-0 cannot mount its volumes: FailedMount x32: driver name "
        "driver.longhorn.io not found in the list of registered CSI drivers"
    )
    assert f.evidence[0].startswith("FailedMount (x23, last 2m ago): MountVolume.MountDevice failed")
    assert any(e.startswith("FailedMount (x9, last 6m ago): Unable to attach") for e in f.evidence)
    assert "pod status Pending on node k3s1" in f.evidence
    assert "csinode k3s1" in f.hint and "network" in f.hint
    assert f.severity.value == "critical"


def test_multi_attach_points_at_the_other_node() -> None:
    radarr = _waiting("radarr-0", "k3s2")
    found = findings(
        "failed-mount-events",
        [
            radarr,
            event(radarr, "FailedAttachVolume", MULTI_ATTACH, count=4, component="attachdetach-controller"),
        ],
    )
    assert "Multi-Attach error" in found[0].message
    assert "volumeattachment" in found[0].hint


def test_missing_secret_names_it() -> None:
    grafana = _waiting("grafana-7d9f8b6c5d-x2x9q")
    found = findings(
        "failed-mount-events",
        [
            grafana,
            event(
                grafana,
                "FailedMount",
                'MountVolume.SetUp failed for volume "admin" : secret "grafana-admin" not found',
            ),
        ],
    )
    assert found[0].message.endswith('secret "grafana-admin" not found')
    assert "Create secret media/grafana-admin" in found[0].hint


def test_silent_once_the_pod_is_ready_or_gone() -> None:
    ready = pod("sonarr-0", "media", node_name="k3s1")
    gone = _waiting("old-0")
    objs = [
        ready,
        event(ready, "FailedMount", NOT_REGISTERED, count=3),
        event(gone, "FailedMount", NOT_REGISTERED),
    ]
    assert findings("failed-mount-events", objs) == []


def test_not_evaluated_without_events() -> None:
    assert run_one("failed-mount-events", [pod("sonarr-0")]).status == "not_evaluated"
