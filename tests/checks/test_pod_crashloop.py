from __future__ import annotations

from datetime import timedelta

from factories import container_status, deployment, event, pod
from factories_apps import crashloop_status, owned_pod, replicaset
from helpers import findings, run_one

LONGHORN_MSG = (
    'time="2025-06-14T18:02:11Z" level=fatal msg="Error starting manager: failed to wait for '
    'longhorn-backend: context deadline exceeded"\nstack trace line 1\nstack trace line 2\nline 3'
)


def test_fires_with_restart_count_termination_message_and_backoff_event() -> None:
    deploy = deployment("longhorn-driver-deployer", "longhorn-system", ready=0)
    rs = replicaset(deploy)
    crashing = owned_pod(
        rs,
        "abcde",
        node_name="k3s1",
        statuses=[
            crashloop_status(
                "longhorn-driver-deployer",
                "longhornio/longhorn-manager:v1.6.2",
                restarts=42,
                exit_code=1,
                message=LONGHORN_MSG,
            )
        ],
    )
    backoff = event(
        crashing,
        "BackOff",
        "Back-off restarting failed container longhorn-driver-deployer in pod "
        "longhorn-driver-deployer-7d9f8b6c5d-abcde_longhorn-system",
        count=180,
    )
    found = findings("pod-crashloop", [deploy, rs, crashing, backoff, pod("healthy", "longhorn-system")])
    assert [f.object.name for f in found] == ["longhorn-driver-deployer-7d9f8b6c5d-abcde"]
    finding = found[0]
    assert finding.severity.value == "critical"
    assert "crash-looping (longhorn-driver-deployer)" in finding.message
    text = "\n".join(finding.evidence)
    assert "restartCount=42" in text
    assert "reason=Error exitCode=1 (application error)" in text
    assert "context deadline exceeded" in text
    assert "line 3" not in text  # only the first lines of the termination message
    assert "event Warning BackOff (x180" in text
    assert "owned by Deployment longhorn-system/longhorn-driver-deployer" in text
    assert "--previous" in finding.hint


def test_oomkilled_crashloop_hints_at_memory_limit() -> None:
    crashing = pod(
        "ollama-0",
        "ai",
        statuses=[crashloop_status("ollama", "ollama/ollama:0.3.12", reason="OOMKilled", exit_code=137)],
    )
    found = findings("pod-crashloop", [crashing])
    assert "exitCode=137 (SIGKILL" in "\n".join(found[0].evidence)
    assert "memory limit" in found[0].hint


def test_init_container_crashloop_is_reported() -> None:
    obj = pod("authentik-server-0", "authentik")
    obj["status"]["initContainerStatuses"] = [crashloop_status("wait-for-db", "busybox:1.36", restarts=7)]
    found = findings("pod-crashloop", [obj])
    assert "init container wait-for-db" in found[0].evidence[0]


def test_silent_on_running_pods_and_on_pods_being_deleted() -> None:
    deleted = pod(
        "old", statuses=[crashloop_status("app", "ghcr.io/example/app:1.2.3")], deletion=timedelta(minutes=1)
    )
    restarted = pod("fine", statuses=[container_status("app", "ghcr.io/example/app:1.2.3", restarts=3)])
    assert findings("pod-crashloop", [deleted, restarted, pod("web")]) == []


def test_not_evaluated_without_pods() -> None:
    result = run_one("pod-crashloop", [deployment("web")])
    assert result.status == "not_evaluated"
