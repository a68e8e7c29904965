from __future__ import annotations

from factories_platform import bsl, schedule
from helpers import findings, run_one

B2 = "https://s3.us-west-004.backblazeb2.com"


def test_fires_when_every_location_is_in_cluster_or_on_site() -> None:
    objs = [bsl("default", default=True), bsl("nas", s3_url="http://192.168.10.5:9000")]
    found = findings("velero-no-offsite", objs)
    assert len(found) == 1
    f = found[0]
    assert f.object.kind == "BackupStorageLocation" and f.object.name == "default"
    assert "All 2 Velero backup location(s) are in-cluster or private network" in f.message
    assert any(
        "endpoint=http://minio.velero.svc:9000" in e and e.endswith("[in-cluster]") for e in f.evidence
    )
    assert any(
        "endpoint=http://192.168.10.5:9000" in e and e.endswith("[private network]") for e in f.evidence
    )
    assert f.severity.value == "warning"


def test_fires_when_no_schedule_writes_to_the_offsite_location() -> None:
    objs = [
        bsl("default", default=True),
        bsl("b2", s3_url=B2, bucket="fletcherlabs-velero"),
        schedule("daily-critical", "0 2 * * *"),
        schedule("hourly-longhorn", "0 * * * *", location="default"),
    ]
    found = findings("velero-no-offsite", objs)
    assert [f.object.name for f in found] == ["b2"]
    assert "no active Schedule writes to it" in found[0].message
    assert "Schedule daily-critical -> default" in found[0].evidence


def test_silent_with_an_offsite_location_in_use() -> None:
    objs = [
        bsl("default", default=True),
        bsl("b2", s3_url=B2),
        schedule("daily-critical", "0 2 * * *", location="b2"),
    ]
    assert findings("velero-no-offsite", objs) == []
    assert findings("velero-no-offsite", [bsl("s3", s3_url=None, region="eu-west-1")]) == []


def test_not_evaluated_without_locations() -> None:
    assert run_one("velero-no-offsite", [schedule("daily", "@daily")]).status == "not_evaluated"
