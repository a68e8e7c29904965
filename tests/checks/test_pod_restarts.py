from __future__ import annotations

from datetime import timedelta
from typing import Any

from factories import container_status, pod, ts
from factories_apps import crashloop_status
from helpers import findings, run_one

IMAGE = "longhornio/longhorn-manager:v1.6.2"


def _restarted(restarts: int, last: timedelta, reason: str = "Error", exit_code: int = 1) -> dict[str, Any]:
    cs = container_status(
        "longhorn-manager",
        IMAGE,
        restarts=restarts,
        last_terminated={
            "reason": reason,
            "exitCode": exit_code,
            "finishedAt": ts(last),
            "message": "failed to wait for longhorn-backend: context deadline exceeded",
        },
    )
    return pod(
        "longhorn-manager-x7k2p",
        "longhorn-system",
        node_name="k3s1",
        containers=[{"name": "longhorn-manager", "image": IMAGE}],
        statuses=[cs],
    )


def test_fires_warning_when_restarts_are_recent() -> None:
    found = findings("pod-restarts", [_restarted(23, timedelta(hours=2))])
    assert [f.object.name for f in found] == ["longhorn-manager-x7k2p"]
    assert found[0].severity.value == "warning"
    assert "container longhorn-manager has restarted 23 times" in found[0].message
    text = "\n".join(found[0].evidence)
    assert "restartCount=23, last restart 120m ago" in text  # kubectl-style age
    assert "context deadline exceeded" in text


def test_old_restart_storm_is_info() -> None:
    found = findings("pod-restarts", [_restarted(8, timedelta(days=6))])
    assert found[0].severity.value == "info"


def test_silent_below_threshold_when_crashlooping_or_oomkilled() -> None:
    few = _restarted(4, timedelta(hours=1))
    crashing = pod("c", statuses=[crashloop_status("app", "ghcr.io/example/app:1.2.3", restarts=30)])
    oom = _restarted(9, timedelta(hours=1), reason="OOMKilled", exit_code=137)
    oom["metadata"]["name"] = "oom"
    assert findings("pod-restarts", [few, crashing, oom]) == []


def test_not_evaluated_without_pods() -> None:
    assert run_one("pod-restarts", []).status == "not_evaluated"
