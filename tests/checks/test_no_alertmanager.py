from __future__ import annotations

from factories import pod
from factories_apps import alertmanager_statefulset, prometheus_statefulset, sts_pod
from helpers import findings, run_one


def test_fires_warning_when_prometheus_runs_without_alertmanager() -> None:
    prom = prometheus_statefulset()
    found = findings("no-alertmanager", [prom, sts_pod(prom)])
    assert [(f.object.kind, f.object.name) for f in found] == [("Cluster", "cluster")]
    assert found[0].severity.value == "warning"
    assert found[0].message == "No Alertmanager is running: alerts notify nobody"
    assert "receiver" in found[0].hint


def test_pending_alertmanager_pod_is_named() -> None:
    am = alertmanager_statefulset(ready=0)
    waiting = sts_pod(am, phase="Pending", statuses=[])
    found = findings("no-alertmanager", [am, waiting])
    assert found[0].object.name == "alertmanager-kube-prometheus-stack-alertmanager"
    assert "1 pod(s), none ready" in found[0].message


def test_silent_when_alertmanager_runs() -> None:
    am = alertmanager_statefulset()
    assert findings("no-alertmanager", [am, sts_pod(am), pod("web")]) == []


def test_not_evaluated_without_pods() -> None:
    assert run_one("no-alertmanager", []).status == "not_evaluated"
