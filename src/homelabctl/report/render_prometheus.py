"""The report as Prometheus metrics (text exposition format), for node-exporter's textfile collector.

`homelabctl check -o prometheus --output-file /var/lib/node_exporter/homelabctl.prom` from a CronJob
turns every check into an alertable series. ``homelabctl_last_run_timestamp_seconds`` and
``homelabctl_last_run_success`` let an alert fire when the CronJob itself stops running or fails: a
textfile that silently goes stale must not read as "all clear". The CLI writes the file atomically
(temp file in the same directory, then rename), as the textfile collector requires.
"""

from __future__ import annotations

from collections import Counter
from typing import Any


def render_prometheus(
    report: dict[str, Any], *, success: bool | None = None, now: float | None = None
) -> str:
    """``success``: whether the run passed its --fail-on gate (default: no critical finding shown)."""
    import time

    from prometheus_client import CollectorRegistry, Gauge, generate_latest

    registry = CollectorRegistry()
    if success is None:
        success = not any(f["severity"] == "critical" for f in report["findings"])
    Gauge(
        "homelabctl_last_run_timestamp_seconds", "When homelabctl last ran (Unix time)", registry=registry
    ).set(time.time() if now is None else now)
    Gauge(
        "homelabctl_last_run_success",
        "1 when the last run found nothing at or above --fail-on, else 0",
        registry=registry,
    ).set(1 if success else 0)
    findings = Gauge(
        "homelabctl_findings", "Findings by layer and severity", ["layer", "severity"], registry=registry
    )
    counts = Counter((f["layer"], f["severity"]) for f in report["findings"])
    for (layer, severity), count in sorted(counts.items()):
        findings.labels(layer, severity).set(count)
    score = Gauge(
        "homelabctl_score", "Area score 0-100 (absent when not evaluated)", ["area"], registry=registry
    )
    for area, value in report["scores"].items():
        if value["score"] is not None:
            score.labels(area).set(value["score"])
    status = Gauge(
        "homelabctl_check_failing",
        "1 when the check has findings, 0 when it passed",
        ["check"],
        registry=registry,
    )
    failing = {f["check"] for f in report["findings"]}
    for check_id in sorted(set(report.get("passed", [])) | failing):
        status.labels(check_id).set(1 if check_id in failing else 0)
    not_evaluated = Gauge(
        "homelabctl_check_not_evaluated",
        "1 when the check could not be evaluated",
        ["check"],
        registry=registry,
    )
    for item in report["not_evaluated"]:
        not_evaluated.labels(item["check"]).set(1)
    Gauge("homelabctl_root_causes", "Root causes found", registry=registry).set(len(report["root_causes"]))
    Gauge("homelabctl_objects", "Objects read", registry=registry).set(
        report.get("summary", {}).get("objects", 0)
    )
    return generate_latest(registry).decode()
