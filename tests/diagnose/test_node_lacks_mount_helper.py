"""node-lacks-mount-helper: the node without an NFS client explains the pods whose mounts failed there (and
their workloads), not the other pods it runs."""

from __future__ import annotations

from homelabctl.analysis import analyze
from homelabctl.diagnose.context import RuleContext
from homelabctl.diagnose.graph import DependencyGraph
from homelabctl.diagnose.rules.node_lacks_mount_helper import node_lacks_mount_helper
from homelabctl.model import Finding, Layer, ObjectRef, Severity

from factories import node, state
from factories_apps import crashlooping_app, stuck_pods

MNT = "/var/lib/kubelet/plugins/kubernetes.io/csi/driver.longhorn.io/5d1e0c/globalmount"
NO_NFS_HELPER = (
    'MountVolume.MountDevice failed for volume "pvc-3febd719" : rpc error: code = Internal desc = mount failed: '
    f"exit status 32\nMounting command: /usr/local/sbin/nsmounter\nMounting arguments: mount -t nfs {MNT}\n"
    f"Output: mount: {MNT}: bad option; for several filesystems (e.g. nfs, cifs) you might need a "
    "/sbin/mount.<type> helper program."
)


def test_the_node_is_the_cause_of_the_pods_whose_mounts_it_refused() -> None:
    objs = [
        node("k3s1"),
        node("k3s3"),
        *stuck_pods("sabnzbd", "k3s3", "FailedMount", NO_NFS_HELPER),
        *stuck_pods("bazarr", "k3s3", "FailedMount", NO_NFS_HELPER),
        *crashlooping_app("immich", "k3s3"),
    ]
    report = analyze(state(objs)).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "Node", "namespace": None, "name": "k3s3"}
    assert top["rule"] == "node-lacks-mount-helper"
    symptoms = {f["object"]["name"] for f in report["findings"] if f["id"] in top["symptoms"]}
    assert {"sabnzbd", "bazarr"} <= symptoms
    assert "immich" not in symptoms  # on the same node, but its own words name no missing helper


def test_the_rule_explains_nothing_on_a_node_without_refused_mounts() -> None:
    st = state(
        [node("k3s2"), *stuck_pods("sonarr", "k3s2", "FailedMount", "MountVolume.SetUp failed: timed out")]
    )
    finding = Finding(
        "node-mount-helper-missing", Layer.NODE, Severity.CRITICAL, ObjectRef("Node", None, "k3s2"), "x"
    )
    assert node_lacks_mount_helper(RuleContext(st, DependencyGraph(st), [finding]), finding) is None
