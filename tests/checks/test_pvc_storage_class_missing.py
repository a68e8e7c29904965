from __future__ import annotations

from factories import event, pod
from factories_infra import claim_volume, pvc, storage_class
from helpers import findings, run_one

# https://github.com/ethersphere/helm/issues/143 (persistentvolume-controller on a class that does not exist)
NOT_FOUND = 'storageclass.storage.k8s.io "longhorn-nvme" not found'


def test_fires_with_the_provisioning_event_and_the_classes_that_exist() -> None:
    claim = pvc("data-postgres-0", "databases", "longhorn-nvme", phase="Pending")
    user = pod(
        "postgres-0", "databases", phase="Pending", node_name=None, volumes=[claim_volume("data-postgres-0")]
    )
    objs = [
        storage_class("longhorn"),
        storage_class("local-path", "rancher.io/local-path", default=True),
        claim,
        user,
        event(claim, "ProvisioningFailed", NOT_FOUND, count=39, component="persistentvolume-controller"),
    ]
    found = findings("pvc-storage-class-missing", objs)
    assert [(f.object.kind, f.object.name) for f in found] == [("PersistentVolumeClaim", "data-postgres-0")]
    f = found[0]
    assert (
        f.message == "PVC databases/data-postgres-0 asks for StorageClass longhorn-nvme, which does not exist"
    )
    assert (
        "StorageClasses that exist: local-path (rancher.io/local-path), longhorn (driver.longhorn.io)"
        in f.evidence
    )
    assert f"event ProvisioningFailed (x39): {NOT_FOUND}" in f.evidence
    assert "waited on by pod postgres-0" in f.evidence
    assert "immutable" in f.hint and "kubectl -n databases delete pvc data-postgres-0" in f.hint


def test_silent_for_existing_default_and_static_classes() -> None:
    objs = [
        storage_class("longhorn"),
        pvc("a", "apps", "longhorn", phase="Pending"),
        pvc("b", "apps", None, phase="Pending"),
        pvc("c", "apps", "", phase="Pending"),
        pvc("d", "apps", "gone-class", phase="Bound"),
    ]
    assert findings("pvc-storage-class-missing", objs) == []


def test_not_evaluated_without_storage_classes() -> None:
    assert (
        run_one("pvc-storage-class-missing", [pvc("a", "apps", "x", phase="Pending")]).status
        == "not_evaluated"
    )
