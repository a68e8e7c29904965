"""volume-full: a container says "no space left on device" for a path under a claim's mount.

Messages as the applications write them: Prometheus failing to open its WAL on a full volume
(https://github.com/prometheus/prometheus/issues/8128, https://github.com/prometheus/prometheus/issues/7627),
PostgreSQL naming a path relative to its data directory.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from checks.helpers import findings
from homelabctl.k8s import enospc
from homelabctl.k8s.pods import VolumeMount

from factories import container_status
from factories_apps import owned_pod, statefulset
from factories_infra import pvc

PROMETHEUS_WAL_FULL = (
    'ts=2025-06-16T02:57:39.402Z caller=head.go:626 level=info component=tsdb msg="Replaying WAL, this may take a while"\n'
    'ts=2025-06-16T02:57:39.530Z caller=main.go:1174 level=error err="opening storage failed: open '
    '/prometheus/wal/00001847: no space left on device"'
)
POSTGRES_RELATIVE = 'PANIC:  could not write to file "pg_wal/xlogtemp.31": No space left on device'


def crashing(name: str, mount: str, volume: dict[str, Any], message: str) -> list[dict[str, Any]]:
    image = f"quay.io/example/{name}:1.0"
    container = {
        "name": name,
        "image": image,
        "volumeMounts": [{"name": "data", "mountPath": mount}, {"name": "tmp", "mountPath": "/tmp"}],
    }
    sts = statefulset(name, "monitoring", ready=0, containers=[container])
    sts["spec"]["template"]["spec"]["volumes"] = [{"name": "data", **volume}, {"name": "tmp", "emptyDir": {}}]
    status = container_status(
        name,
        image,
        state="waiting",
        reason="CrashLoopBackOff",
        restarts=112,
        last_terminated={"message": message, "exitCode": 1},
    )
    return [sts, owned_pod(sts, "0", statuses=[status], ready=False)]


def claim_volume(claim: str) -> dict[str, Any]:
    return {"persistentVolumeClaim": {"claimName": claim}}


def test_fires_on_the_claim_under_the_path_that_is_full() -> None:
    objs = [
        pvc("prometheus-db-prometheus-0", "monitoring", size="50Gi"),
        *crashing(
            "prometheus", "/prometheus", claim_volume("prometheus-db-prometheus-0"), PROMETHEUS_WAL_FULL
        ),
    ]
    [finding] = findings("volume-full", objs)
    assert (finding.object.kind, finding.object.name) == (
        "PersistentVolumeClaim",
        "prometheus-db-prometheus-0",
    )
    assert finding.layer.value == "storage" and finding.severity.value == "critical"
    assert "(50Gi)" in finding.message
    assert any("open /prometheus/wal/00001847: no space left on device" in e for e in finding.evidence)
    assert any("/prometheus is volume data" in e for e in finding.evidence)
    assert "kubectl -n monitoring get pvc prometheus-db-prometheus-0" in finding.hint


def test_names_the_claim_of_a_generic_ephemeral_volume() -> None:
    objs = crashing(
        "loki",
        "/var/loki",
        {"ephemeral": {"volumeClaimTemplate": {"spec": {}}}},
        PROMETHEUS_WAL_FULL.replace("/prometheus", "/var/loki"),
    )
    [finding] = findings("volume-full", objs)
    assert (finding.object.kind, finding.object.name) == ("PersistentVolumeClaim", "loki-0-data")


def test_silent_when_the_path_is_not_on_a_claim() -> None:
    on_empty_dir = crashing(
        "app", "/data", claim_volume("app-data"), "write /tmp/cache/x: no space left on device"
    )
    on_root_fs = crashing(
        "web", "/data", claim_volume("web-data"), "mkdir /var/cache/nginx: no space left on device"
    )
    relative = crashing("postgres", "/var/lib/postgresql/data", claim_volume("pg-data"), POSTGRES_RELATIVE)
    assert findings("volume-full", [*on_empty_dir, *on_root_fs, *relative]) == []


def test_silent_without_no_space_errors() -> None:
    objs = crashing(
        "prometheus", "/prometheus", claim_volume("db"), 'err="opening storage failed: permission denied"'
    )
    assert findings("volume-full", objs) == []


def test_mount_of_takes_the_deepest_mount_and_respects_path_boundaries() -> None:
    mounts = [
        VolumeMount("root", "/data"),
        VolumeMount("wal", "/data/wal/"),
        VolumeMount("other", "/database"),
    ]
    assert enospc.mount_of("/data/wal/0001", mounts) == mounts[1]
    assert enospc.mount_of("/data/x", mounts) == mounts[0]
    assert enospc.mount_of("/database/x", mounts) == mounts[2]
    assert enospc.mount_of("/dat", mounts) is None


@given(st.text(max_size=300))
def test_full_paths_only_returns_absolute_paths_from_the_message(message: str) -> None:
    for path in enospc.full_paths(message):
        assert path.startswith("/") and path in message


def test_silent_once_the_container_is_ready_again() -> None:
    objs = [
        pvc("prometheus-db-prometheus-0", "monitoring", size="50Gi"),
        *crashing(
            "prometheus", "/prometheus", claim_volume("prometheus-db-prometheus-0"), PROMETHEUS_WAL_FULL
        ),
    ]
    assert findings("volume-full", objs)  # while it crash-loops
    status = objs[-1]["status"]["containerStatuses"][0]
    status["ready"] = True
    status["state"] = {"running": {"startedAt": "2025-06-16T02:58:00Z"}}
    assert findings("volume-full", objs) == []
