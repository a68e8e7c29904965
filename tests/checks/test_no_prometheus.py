from __future__ import annotations

from factories import pod
from factories_apps import crashloop_status, prometheus_statefulset, sts_pod
from helpers import findings, run_one


def test_fires_on_the_cluster_when_nothing_records_metrics() -> None:
    found = findings("no-prometheus", [pod("sonarr-0", "media"), pod("radarr-0", "media")])
    assert [(f.object.kind, f.object.name) for f in found] == [("Cluster", "cluster")]
    assert found[0].severity.value == "warning"  # a blind spot, not an outage
    assert found[0].message == "No Prometheus is running: the cluster records no metrics"
    assert "kube-prometheus-stack" in found[0].hint


def test_prometheus_pods_that_are_not_ready_are_named() -> None:
    sts = prometheus_statefulset(ready=0)
    broken = sts_pod(
        sts,
        statuses=[
            crashloop_status(
                "prometheus",
                "quay.io/prometheus/prometheus:v2.54.1",
                message="opening storage failed: lock DB directory: resource temporarily unavailable",
            )
        ],
    )
    found = findings("no-prometheus", [sts, broken])
    assert [(f.object.kind, f.object.name) for f in found] == [
        ("StatefulSet", "prometheus-kube-prometheus-stack-prometheus")
    ]
    assert found[0].message == "Prometheus is not running: 1 pod(s), none ready"
    assert (
        "pod monitoring/prometheus-kube-prometheus-stack-prometheus-0: CrashLoopBackOff on k3s3, restarts=12"
        in found[0].evidence
    )


def test_silent_when_prometheus_runs() -> None:
    sts = prometheus_statefulset()
    assert findings("no-prometheus", [sts, sts_pod(sts)]) == []


def test_not_evaluated_without_pods() -> None:
    assert run_one("no-prometheus", []).status == "not_evaluated"
