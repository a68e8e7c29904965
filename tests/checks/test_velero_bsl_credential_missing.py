from __future__ import annotations

from homelabctl import kinds

from factories_platform import bsl, secret
from helpers import findings, run_one

CREDENTIALS = "[default]\naws_access_key_id = minioadmin\naws_secret_access_key = do-not-print-me\n"


def test_fires_on_secret_name_mismatch_seed() -> None:
    objs = [
        bsl("default", credential=("minio-credentials", "cloud"), phase="Unavailable"),
        secret("velero-minio-credentials", "velero", {"cloud": CREDENTIALS}),
    ]
    found = findings("velero-bsl-credential-missing", objs)
    assert len(found) == 1
    f = found[0]
    assert f.object.kind == "BackupStorageLocation" and f.object.name == "default"
    assert "Secret velero/minio-credentials, which does not exist" in f.message
    assert "spec.credential: name=minio-credentials key=cloud" in f.evidence
    assert f.severity.value == "critical"


def test_fires_on_missing_key_without_showing_values() -> None:
    objs = [
        bsl("default", credential=("minio-credentials", "cloud")),
        secret("minio-credentials", "velero", {"rootUser": "minioadmin", "rootPassword": "do-not-print-me"}),
    ]
    found = findings("velero-bsl-credential-missing", objs)
    assert "reads key 'cloud'" in found[0].message
    assert "Secret velero/minio-credentials keys: rootPassword, rootUser" in found[0].evidence
    assert not any("do-not-print-me" in e or "minioadmin" in e for e in found[0].evidence)


def test_silent_when_secret_and_key_exist_or_no_credential_is_named() -> None:
    objs = [
        bsl("default", credential=("minio-credentials", "cloud")),
        bsl("b2"),
        secret("minio-credentials", "velero", {"cloud": CREDENTIALS}),
    ]
    assert findings("velero-bsl-credential-missing", objs) == []


def test_not_evaluated_without_secrets() -> None:
    result = run_one(
        "velero-bsl-credential-missing", [bsl("default", credential=("minio-credentials", "cloud"))]
    )
    assert result.status == "not_evaluated"
    assert kinds.SECRET in result.reason
