from __future__ import annotations

from datetime import timedelta

from factories import event, pod
from factories_infra import claim_volume, pvc, storage_class
from helpers import findings, run_one

FAILED = (
    'failed to provision volume with StorageClass "longhorn-nvme": rpc error: code = DeadlineExceeded '
    "desc = context deadline exceeded"
)


def test_fires_critical_on_pending_claim_a_pod_waits_for() -> None:
    claim = pvc("bazarr-config", "media", "longhorn-nvme", phase="Pending", age=timedelta(hours=3))
    user = pod("bazarr-0", "media", phase="Pending", volumes=[claim_volume("bazarr-config", "config")])
    objs = [
        storage_class("longhorn-nvme", parameters={"numberOfReplicas": "1", "diskSelector": "nvme"}),
        claim,
        user,
        event(
            claim, "ProvisioningFailed", FAILED, count=17, component="driver.longhorn.io_csi-provisioner-6b7d"
        ),
        event(
            claim,
            "ExternalProvisioning",
            "Waiting for a volume to be created either by the external "
            "provisioner 'driver.longhorn.io' or manually by the system administrator.",
            type_="Normal",
            count=40,
        ),
    ]
    found = findings("pvc-not-bound", objs)
    assert [(f.object.kind, f.object.name) for f in found] == [("PersistentVolumeClaim", "bazarr-config")]
    f = found[0]
    assert f.severity.value == "critical"
    assert f.message == f"PVC media/bazarr-config is Pending for 3h: {FAILED}"
    assert (
        "StorageClass longhorn-nvme: provisioner driver.longhorn.io, volumeBindingMode Immediate"
        in f.evidence
    )
    assert any(e.startswith("event Warning ProvisioningFailed (x17") for e in f.evidence)
    assert any(e.startswith("event Normal ExternalProvisioning (x40") for e in f.evidence)
    assert "used by pod bazarr-0" in f.evidence
    assert "kubectl -n media describe pvc bazarr-config" in f.hint


def test_unused_claim_with_missing_class_is_a_warning() -> None:
    claim = pvc("scratch", "default", "longhorn-fast", phase="Pending", age=timedelta(minutes=30))
    found = findings("pvc-not-bound", [storage_class("longhorn"), claim])
    assert found[0].severity.value == "warning"
    assert (
        found[0].message
        == "PVC default/scratch is Pending for 30m: StorageClass longhorn-fast does not exist"
    )


def test_lost_claim_names_the_missing_volume() -> None:
    claim = pvc("prometheus-db", "monitoring", "longhorn")
    claim["status"] = {"phase": "Lost"}
    found = findings("pvc-not-bound", [storage_class("longhorn"), claim], captured=["PersistentVolume"])
    assert found[0].message.startswith("PVC monitoring/prometheus-db is Lost: its PersistentVolume pvc-")
    assert any("(no such PersistentVolume)" in e for e in found[0].evidence)


def test_silent_on_bound_new_and_wait_for_first_consumer_claims() -> None:
    objs = [
        storage_class("longhorn"),
        storage_class("local-path", "rancher.io/local-path", binding_mode="WaitForFirstConsumer"),
        pvc("sonarr-config", "media"),
        pvc("just-made", "media", phase="Pending", age=timedelta(seconds=30)),
        pvc(
            "cache",
            "media",
            "local-path",
            phase="Pending",
            age=timedelta(days=1),
            provisioner="rancher.io/local-path",
        ),
    ]
    assert findings("pvc-not-bound", objs) == []


def test_not_evaluated_without_claims() -> None:
    assert run_one("pvc-not-bound", [storage_class("longhorn")]).status == "not_evaluated"
