"""node-mount-helper-missing: a node without a network filesystem's client fails its pods' NFS/CIFS mounts.

The kubelet's FailedMount as Longhorn users reported it for RWX volumes on nodes without nfs-common
(https://github.com/longhorn/longhorn/issues/1799, https://github.com/longhorn/longhorn/issues/2058): util-linux's
"bad option; for several filesystems (e.g. nfs, cifs) you might need a /sbin/mount.<type> helper program".
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from checks.helpers import findings
from homelabctl.k8s.mount_helpers import missing_helper

from factories import node
from factories_apps import stuck_pods

MNT = "/var/lib/kubelet/plugins/kubernetes.io/csi/driver.longhorn.io/5d1e0c/globalmount"
NO_NFS_HELPER = (
    'MountVolume.MountDevice failed for volume "pvc-3febd719" : rpc error: code = Internal desc = mount failed: '
    "exit status 32\nMounting command: /usr/local/sbin/nsmounter\nMounting arguments: mount -t nfs -o "
    f"vers=4.1,noresvport,timeo=600,retrans=5,softerr 10.43.188.41:/pvc-3febd719 {MNT}\nOutput: mount: {MNT}: bad "
    "option; for several filesystems (e.g. nfs, cifs) you might need a /sbin/mount.<type> helper program."
)
NFS_SERVER_DOWN = (
    'MountVolume.SetUp failed for volume "media" : mount failed: exit status 32\nMounting command: mount\n'
    "Mounting arguments: -t nfs 192.168.1.20:/export/media /var/lib/kubelet/pods/1/volumes/kubernetes.io~nfs/media\n"
    "Output: mount.nfs: Connection timed out"
)


def test_fires_on_the_node_whose_mounts_lack_a_helper() -> None:
    objs = [
        node("k3s1"),
        node("k3s3"),
        *stuck_pods("sabnzbd", "k3s3", "FailedMount", NO_NFS_HELPER),
        *stuck_pods("bazarr", "k3s3", "FailedMount", NO_NFS_HELPER),
    ]
    [finding] = findings("node-mount-helper-missing", objs)
    assert (finding.object.kind, finding.object.name) == ("Node", "k3s3")
    assert finding.layer.value == "node" and finding.severity.value == "critical"
    assert "no nfs mount helper (/sbin/mount.nfs)" in finding.message and "2 pod(s)" in finding.message
    assert any("you might need a /sbin/mount.<type> helper program. (x96)" in e for e in finding.evidence)
    assert "nfs-common" in finding.hint


def test_silent_on_other_mount_failures() -> None:
    objs = [node("k3s2"), *stuck_pods("jellyfin", "k3s2", "FailedMount", NFS_SERVER_DOWN)]
    assert findings("node-mount-helper-missing", objs) == []


def test_silent_once_the_pod_mounted_its_volume() -> None:
    objs = [node("k3s3"), *stuck_pods("sabnzbd", "k3s3", "FailedMount", NO_NFS_HELPER)]
    assert objs[3]["kind"] == "Pod" and findings("node-mount-helper-missing", objs)  # fires while it waits
    objs[3]["status"]["conditions"] = [{"type": "Ready", "status": "True"}]
    objs[3]["status"]["phase"] = "Running"
    assert findings("node-mount-helper-missing", objs) == []


def test_missing_helper_reads_the_type_from_the_mount_command() -> None:
    assert missing_helper(NO_NFS_HELPER) == "nfs"
    assert missing_helper(NO_NFS_HELPER.replace("mount -t nfs ", "mount ")) == ""
    assert missing_helper(NFS_SERVER_DOWN) is None


@given(st.text(max_size=300))
def test_missing_helper_only_answers_the_helper_error(message: str) -> None:
    found = missing_helper(message)
    assert found is None or "helper program" in message
