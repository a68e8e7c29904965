from __future__ import annotations

from datetime import timedelta

from factories import container_status, pod, ts
from factories_apps import crashloop_status
from helpers import findings, run_one

IMAGE = "ghcr.io/open-webui/open-webui:v0.3.32"


def _oom(finished: timedelta, limit: str | None = "2Gi") -> dict[str, object]:
    resources: dict[str, object] = {"requests": {"cpu": "250m", "memory": "1Gi"}}
    if limit:
        resources["limits"] = {"memory": limit}
    cs = container_status(
        "open-webui",
        IMAGE,
        restarts=3,
        last_terminated={"reason": "OOMKilled", "exitCode": 137, "finishedAt": ts(finished)},
    )
    return pod(
        "open-webui-0",
        "ai",
        containers=[{"name": "open-webui", "image": IMAGE, "resources": resources}],
        statuses=[cs],
    )


def test_fires_with_memory_limit_in_evidence() -> None:
    found = findings("pod-oomkilled", [_oom(timedelta(hours=3))])
    assert [f.object.name for f in found] == ["open-webui-0"]
    assert found[0].severity.value == "warning"
    assert "container open-webui was OOMKilled" in found[0].message
    text = "\n".join(found[0].evidence)
    assert "OOMKilled 3h ago (exitCode=137, restartCount=3)" in text
    assert "memory limit=2Gi, request=1Gi" in text
    assert "limits.memory" in found[0].hint


def test_no_limit_points_at_the_node_and_old_kills_are_info() -> None:
    found = findings("pod-oomkilled", [_oom(timedelta(days=20), limit=None)])
    assert found[0].severity.value == "info"
    assert any("node itself ran out of memory" in e for e in found[0].evidence)


def test_silent_on_healthy_and_crashlooping_pods() -> None:
    crashing = pod(
        "c",
        statuses=[crashloop_status("app", "ghcr.io/example/app:1.2.3", reason="OOMKilled", exit_code=137)],
    )
    assert findings("pod-oomkilled", [pod("ok"), crashing]) == []


def test_not_evaluated_without_pods() -> None:
    assert run_one("pod-oomkilled", []).status == "not_evaluated"


def test_crashlooping_oom_kills_name_the_limit_in_pod_crashloop() -> None:
    cs = crashloop_status("open-webui", IMAGE, reason="OOMKilled", exit_code=137)
    obj = pod(
        "open-webui-1",
        "ai",
        containers=[
            {
                "name": "open-webui",
                "image": IMAGE,
                "resources": {"limits": {"memory": "2Gi"}, "requests": {"memory": "1Gi"}},
            }
        ],
        statuses=[cs],
    )
    assert findings("pod-oomkilled", [obj]) == []
    found = findings("pod-crashloop", [obj])
    assert "container open-webui: memory limit=2Gi, request=1Gi" in found[0].evidence
    assert "OOMKilled" in found[0].hint
