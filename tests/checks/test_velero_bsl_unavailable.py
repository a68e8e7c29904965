from __future__ import annotations

from datetime import timedelta

from homelabctl import kinds

from factories import container_status, pod
from factories_platform import bsl, service
from helpers import findings, run_one

MINIO_DOWN = (
    'BackupStorageLocation "default" is unavailable: rpc error: code = Unknown desc = RequestError: send '
    'request failed caused by: Get "http://minio.velero.svc:9000/velero?delimiter=%2F&list-type=2&prefix=": '
    "dial tcp 10.43.12.5:9000: connect: connection refused"
)


def _minio_pod() -> dict[str, object]:
    return pod(
        "minio-6d5f8b7c9-x2k4q",
        "velero",
        labels={"app.kubernetes.io/name": "minio"},
        containers=[{"name": "minio", "image": "quay.io/minio/minio:RELEASE.2024-05-10T01-41-38Z"}],
        statuses=[
            container_status(
                "minio",
                "quay.io/minio/minio:RELEASE.2024-05-10T01-41-38Z",
                state="waiting",
                reason="CrashLoopBackOff",
                restarts=212,
                last_terminated={"message": "ERROR Invalid command line arguments: 0 drives provided"},
            )
        ],
    )


def test_fires_on_unavailable_minio_location_seed() -> None:
    objs = [
        bsl("default", default=True, phase="Unavailable", message=MINIO_DOWN),
        bsl(
            "b2",
            s3_url="https://s3.us-west-004.backblazeb2.com",
            bucket="fletcherlabs-velero",
            region="us-west-004",
        ),
        service("minio", "velero"),
        _minio_pod(),
    ]
    found = findings("velero-bsl-unavailable", objs)
    assert [f.object.name for f in found] == ["default"]
    f = found[0]
    assert f.object.kind == "BackupStorageLocation" and f.object.namespace == "velero"
    assert f.severity.value == "critical"
    assert "http://minio.velero.svc:9000" in f.message and "Unavailable" in f.message
    assert f.message.endswith("dial tcp 10.43.12.5:9000: connect: connection refused")
    assert "config.s3Url=http://minio.velero.svc:9000" in f.evidence
    assert "provider=aws bucket=velero" in f.evidence
    assert any(
        e.startswith('status.message: BackupStorageLocation "default" is unavailable') for e in f.evidence
    )
    assert any(
        "backend pod velero/minio-6d5f8b7c9-x2k4q: CrashLoopBackOff" in e and "0 drives provided" in e
        for e in f.evidence
    )
    assert "velero backup-location get" in f.hint


def test_never_validated_location_is_warning() -> None:
    found = findings("velero-bsl-unavailable", [bsl("default", phase=None, age=timedelta(hours=5))])
    assert found[0].severity.value == "warning"
    assert "has not been validated 5h after creation" in found[0].message


def test_silent_on_available_locations() -> None:
    objs = [bsl("default", default=True), bsl("fresh", phase=None, age=timedelta(minutes=2))]
    assert findings("velero-bsl-unavailable", objs, captured=[kinds.SERVICE]) == []


def test_not_evaluated_without_locations() -> None:
    assert run_one("velero-bsl-unavailable", []).status == "not_evaluated"
