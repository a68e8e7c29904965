from __future__ import annotations

from typing import Any

from factories import event, pod
from factories_diag import bound_claim, nfs_pv
from factories_infra import claim_volume
from helpers import findings, run_one

# https://github.com/kubeflow/testing/issues/346 (kubelet FailedMount, server not answering)
TIMED_OUT = (
    'MountVolume.SetUp failed for volume "{pv}" : mount failed: exit status 32\nMounting command: mount\n'
    "Mounting arguments: -t nfs -o nfsvers=4.1 192.168.10.5:/volume1/media /var/lib/kubelet/pods/5264288b/"
    "volumes/kubernetes.io~nfs/{pv}\nOutput: mount.nfs: Connection timed out"
)


def _media(name: str, node_name: str) -> list[dict[str, Any]]:
    obj = pod(name, "media", node_name=node_name, phase="Pending", volumes=[claim_volume("media")])
    return [obj, event(obj, "FailedMount", TIMED_OUT.format(pv="media-nfs"), count=4)]


def test_one_finding_per_server_on_the_external_host() -> None:
    objs = [
        nfs_pv("media-nfs", "192.168.10.5", "/volume1/media", claim=("media", "media")),
        bound_claim("media", "media", "media-nfs"),
        *_media("jellyfin-0", "k3s1"),
        *_media("sonarr-0", "k3s2"),
    ]
    found = findings("nfs-server-unreachable", objs)
    assert [(f.object.kind, f.object.namespace, f.object.name) for f in found] == [
        ("ExternalHost", None, "192.168.10.5")
    ]
    f = found[0]
    assert f.message == (
        "NFS server 192.168.10.5 fails mounts (the server does not answer (connection timed out)): "
        "2 pod(s) cannot start"
    )
    assert (
        "pod media/jellyfin-0 cannot mount" in f.evidence and "pod media/sonarr-0 cannot mount" in f.evidence
    )
    assert "volumes: PV media-nfs (192.168.10.5:/volume1/media)" in f.evidence
    assert "from nodes: k3s1, k3s2" in f.evidence
    assert any("mount.nfs: Connection timed out" in e for e in f.evidence)
    assert "showmount -e 192.168.10.5" in f.hint


def test_server_from_the_pv_when_the_message_does_not_name_it() -> None:
    obj = pod("immich-0", "media", node_name="k3s1", phase="Pending", volumes=[claim_volume("photos")])
    objs = [
        nfs_pv("photos-nfs", "nas.lab.local", "/photos", csi=True, claim=("media", "photos")),
        bound_claim("photos", "media", "photos-nfs"),
        obj,
        event(
            obj,
            "FailedMount",
            'MountVolume.SetUp failed for volume "photos-nfs" : rpc error: code = Internal '
            "desc = mount failed: exit status 32\nOutput: mount.nfs: No route to host",
        ),
    ]
    assert [f.object.name for f in findings("nfs-server-unreachable", objs)] == ["nas.lab.local"]


def test_silent_for_other_mount_failures_and_recovered_pods() -> None:
    ready = pod("radarr-0", "media", node_name="k3s1", volumes=[claim_volume("media")])
    longhorn = pod("db-0", "apps", phase="Pending")
    objs = [
        ready,
        event(ready, "FailedMount", TIMED_OUT.format(pv="media-nfs")),
        longhorn,
        event(
            longhorn,
            "FailedMount",
            "driver name driver.longhorn.io not found in the list of registered CSI drivers",
        ),
    ]
    assert findings("nfs-server-unreachable", objs) == []


def test_not_evaluated_without_events() -> None:
    assert run_one("nfs-server-unreachable", [pod("a")]).status == "not_evaluated"
