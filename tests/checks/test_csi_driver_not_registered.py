from __future__ import annotations

from factories import event, node, pod
from factories_infra import csi_driver, csi_node, storage_class
from helpers import findings, run_one

NOT_REGISTERED = (
    'MountVolume.MountDevice failed for volume "pvc-0b6f3c1e-8d5a-4f0e-9a7c-2f1d3e4b5a6c" : '
    "kubernetes.io/csi: attacher.MountDevice failed to create newCsiDriverClient: driver name "
    "driver.longhorn.io not found in the list of registered CSI drivers"
)


def _cluster() -> list[dict[str, object]]:
    return [
        node("k3s-master1", control_plane=True),
        node("k3s1"),
        node("k3s2"),
        node("k3s3"),
        storage_class("longhorn", default=True),
        storage_class("longhorn-nvme"),
        storage_class("local-path", "rancher.io/local-path", binding_mode="WaitForFirstConsumer"),
        storage_class(
            "nfs-media", "nfs.csi.k8s.io", parameters={"server": "192.168.10.100", "share": "/mnt/rust/media"}
        ),
        csi_driver("driver.longhorn.io"),
        csi_driver("nfs.csi.k8s.io"),
    ]


def test_fires_on_node_whose_csinode_lacks_longhorn() -> None:
    stuck = pod("jellyfin-0", "media", node_name="k3s1", phase="Pending")
    objs = [
        *_cluster(),
        csi_node("k3s-master1", ["driver.longhorn.io", "nfs.csi.k8s.io"]),
        csi_node("k3s1", ["nfs.csi.k8s.io"]),
        csi_node("k3s2", ["driver.longhorn.io", "nfs.csi.k8s.io"]),
        csi_node("k3s3", ["driver.longhorn.io", "nfs.csi.k8s.io"]),
        stuck,
        event(stuck, "FailedMount", NOT_REGISTERED, count=23),
    ]
    found = findings("csi-driver-not-registered", objs)
    assert [(f.object.kind, f.object.name) for f in found] == [("Node", "k3s1")]
    f = found[0]
    assert (
        f.message
        == "CSI driver driver.longhorn.io is not registered on node k3s1: pods there cannot mount its volumes"
    )
    assert "CSINode k3s1 registers: nfs.csi.k8s.io" in f.evidence
    assert (
        "driver.longhorn.io needed by StorageClass longhorn, longhorn-nvme; registered on k3s-master1, k3s2, "
        "k3s3"
    ) in f.evidence
    assert any(
        e.startswith("pod media/jellyfin-0: FailedMount (x23)") and "not found in the list" in e
        for e in f.evidence
    )
    assert "network first" in f.hint
    assert f.severity.value == "critical"


def test_driver_registered_nowhere_is_reported_once_on_its_class() -> None:
    objs = [*_cluster(), *(csi_node(n, ["nfs.csi.k8s.io"]) for n in ("k3s-master1", "k3s1", "k3s2", "k3s3"))]
    found = findings("csi-driver-not-registered", objs)
    assert [(f.object.kind, f.object.name) for f in found] == [("StorageClass", "longhorn")]
    assert found[0].message.startswith(
        "CSI driver driver.longhorn.io is registered on no node: StorageClass longhorn, longhorn-nvme"
    )
    assert "CSIDriver driver.longhorn.io: exists" in found[0].evidence


def test_respects_allowed_topologies_and_dedicated_taints() -> None:
    tainted = node(
        "k3s-master1",
        control_plane=True,
        taints=[{"key": "CriticalAddonsOnly", "value": "true", "effect": "NoExecute"}],
    )
    objs = [
        tainted,
        node("k3s1"),
        node("k3s3"),
        storage_class("longhorn-optane", allowed_hostnames=["k3s3"]),
        csi_node("k3s-master1", []),
        csi_node("k3s1", []),
        csi_node("k3s3", ["driver.longhorn.io"]),
    ]
    assert findings("csi-driver-not-registered", objs) == []


def test_silent_when_every_node_registers_the_drivers() -> None:
    objs = [
        *_cluster(),
        *(
            csi_node(n, ["driver.longhorn.io", "nfs.csi.k8s.io"])
            for n in ("k3s-master1", "k3s1", "k3s2", "k3s3")
        ),
    ]
    assert findings("csi-driver-not-registered", objs) == []


def test_not_evaluated_without_csinodes() -> None:
    result = run_one("csi-driver-not-registered", _cluster())
    assert result.status == "not_evaluated" and "CSINode" in result.reason
