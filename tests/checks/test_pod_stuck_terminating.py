from __future__ import annotations

from datetime import timedelta

from factories import node, pod
from factories_apps import owned_pod, statefulset
from helpers import findings, run_one


def _stuck_on_styx(count: int) -> list[dict[str, object]]:
    return [
        pod(f"label-studio-{i}", "apps", node_name="styx", deletion=timedelta(days=3)) for i in range(count)
    ]


def test_fires_critical_for_each_pod_on_a_notready_node_with_force_delete_hint() -> None:
    objs = [
        node("styx", ready="Unknown", since=timedelta(days=3, hours=4)),
        node("tethys"),
        *_stuck_on_styx(8),
    ]
    found = findings("pod-stuck-terminating", objs)
    assert len(found) == 8
    first = found[0]
    assert first.severity.value == "critical"
    assert "has been Terminating for 3d" in first.message and "node styx is Unknown for 3d4h" in first.message
    text = "\n".join(first.evidence)
    assert "deletionGracePeriodSeconds=30" in text
    assert "node styx Ready=Unknown reason=NodeStatusUnknown" in text
    assert "kubectl delete pod --grace-period=0 --force -n apps label-studio-" in first.hint
    assert "DANGEROUS" in first.hint and "confirmed styx is down" in first.hint


def test_node_gone_is_critical() -> None:
    found = findings("pod-stuck-terminating", [node("tethys"), *_stuck_on_styx(1)])
    assert found[0].severity.value == "critical"
    assert "node styx no longer exists" in found[0].message


def test_ready_node_with_finalizer_is_a_warning_naming_the_finalizer() -> None:
    sts = statefulset("postgres", "apps")
    obj = owned_pod(sts, "0", node_name="tethys", deletion=timedelta(hours=1))
    obj["metadata"]["finalizers"] = ["example.com/backup-protection"]
    found = findings("pod-stuck-terminating", [node("tethys"), sts, obj])
    assert found[0].severity.value == "warning"
    assert "finalizer example.com/backup-protection" in found[0].message
    assert "owned by StatefulSet apps/postgres" in found[0].evidence


def test_silent_within_grace_period_and_margin() -> None:
    recent = pod("shutting-down", "apps", node_name="styx", deletion=timedelta(minutes=2))
    assert findings("pod-stuck-terminating", [node("styx", ready="Unknown"), recent, pod("alive")]) == []


def test_not_evaluated_without_pods() -> None:
    assert run_one("pod-stuck-terminating", [node("styx")]).status == "not_evaluated"
