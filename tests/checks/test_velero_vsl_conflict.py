from __future__ import annotations

from datetime import timedelta

from factories import node
from factories_platform import backup, schedule, velero_deployment, vsl
from helpers import findings, run_one

NO_DEFAULT = (
    "provider aws has more than one possible volume snapshot location, and none were specified explicitly "
    "or as a default"
)


def test_two_locations_for_one_provider_without_default() -> None:
    daily = schedule("daily-critical", "0 2 * * *")
    failed = backup(daily, timedelta(hours=1), phase="FailedValidation", validation_errors=[NO_DEFAULT])
    objs = [
        vsl("default", config={"region": "minio"}),
        vsl("longhorn-snapshots", config={"region": "us-east-1"}),
        velero_deployment(),
        daily,
        failed,
    ]
    found = [
        f
        for f in findings("velero-vsl-conflict", objs)
        if "VolumeSnapshotLocations for provider" in f.message
    ]
    assert len(found) == 1
    f = found[0]
    assert f.object.kind == "VolumeSnapshotLocation" and f.object.name == "default"
    assert "2 VolumeSnapshotLocations for provider aws (default, longhorn-snapshots)" in f.message
    assert "Deployment velero/velero: no --default-volume-snapshot-locations entry for aws" in f.evidence
    assert any(NO_DEFAULT in e for e in f.evidence)
    assert f.severity.value == "critical"


def test_aws_location_on_a_k3s_cluster_cannot_snapshot_anything() -> None:
    objs = [vsl("default"), velero_deployment(), node("k3s1"), node("k3s2")]
    found = findings("velero-vsl-conflict", objs)
    assert len(found) == 1
    f = found[0]
    assert "uses provider aws, but no node runs on that cloud" in f.message
    assert any("k3s://" in e for e in f.evidence)
    assert f.severity.value == "warning"


def test_missing_plugin() -> None:
    objs = [
        vsl("azure-snapshots", provider="velero.io/azure", config={"resourceGroup": "rg"}),
        velero_deployment(plugins=("velero/velero-plugin-for-aws:v1.10.0",)),
    ]
    found = findings("velero-vsl-conflict", objs)
    assert "has no velero-plugin-for-microsoft-azure image" in found[0].message


def test_silent_when_default_is_set_and_cloud_matches() -> None:
    aws_node = node("ip-10-0-1-12")
    aws_node["spec"]["providerID"] = "aws:///us-east-1a/i-0abc123def4567890"
    objs = [
        vsl("default", config={"region": "us-east-1"}),
        vsl("backup-region", config={"region": "us-west-2"}),
        velero_deployment(default_vsls="aws:default"),
        aws_node,
    ]
    assert findings("velero-vsl-conflict", objs) == []


def test_not_evaluated_without_vsls() -> None:
    assert run_one("velero-vsl-conflict", [velero_deployment()]).status == "not_evaluated"
