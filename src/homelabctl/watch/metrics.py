"""``/metrics``: the current evaluation as gauges, plus the watch's own health, through prometheus-client.

Series that describe the report (findings, scores, root causes) are produced by a collector from the latest
evaluation at scrape time, so a finding that disappears takes its series with it (no stale label sets).
"""

from __future__ import annotations

import threading
import time
from collections import Counter as Tally
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from homelabctl.watch.history import CauseRecord

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
RECENT_ERRORS = 200
STALE_REASONS = ("list", "stream", "internal")


class _ReportCollector(Collector):
    def __init__(self, metrics: WatchMetrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[GaugeMetricFamily]:
        report, causes, now = self.metrics.current()
        findings = GaugeMetricFamily(
            "homelabctl_findings",
            "Current findings by check and severity",
            labels=["check", "layer", "severity"],
        )
        scores = GaugeMetricFamily(
            "homelabctl_score", "Area score 0-100 (absent when not evaluated)", labels=["area"]
        )
        not_evaluated = GaugeMetricFamily(
            "homelabctl_check_not_evaluated", "1 when the check could not be evaluated", labels=["check"]
        )
        count = GaugeMetricFamily("homelabctl_root_causes", "Current root causes", labels=["severity"])
        active = GaugeMetricFamily(
            "homelabctl_root_cause_active_seconds",
            "How long each current root cause has lasted",
            labels=["rule", "severity", "kind", "namespace", "name"],
        )
        objects = GaugeMetricFamily("homelabctl_objects", "Objects in the watched state")
        if report is not None:
            tally = Tally((f["check"], f["layer"], f["severity"]) for f in report["findings"])
            for (check, layer, severity), n in sorted(tally.items()):
                findings.add_metric([check, layer, severity], n)
            for area, value in report["scores"].items():
                if value.get("score") is not None:
                    scores.add_metric([area], value["score"])
            for item in report["not_evaluated"]:
                not_evaluated.add_metric([item["check"]], 1)
            by_severity = Tally(c.severity for c in causes)
            for severity in ("critical", "warning", "info"):
                count.add_metric([severity], by_severity.get(severity, 0))
            for cause in causes:
                active.add_metric(
                    [cause.rule, cause.severity, cause.kind, cause.namespace or "", cause.name],
                    cause.duration(now).total_seconds(),
                )
            objects.add_metric([], report["summary"].get("objects", 0))
        yield from (findings, scores, not_evaluated, count, active, objects)


class WatchMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._lock = threading.Lock()
        self._report: dict[str, Any] | None = None
        self._causes: list[CauseRecord] = []
        self._now = datetime.min
        self._recent: list[tuple[float, str, str]] = []
        self.evaluation_seconds = Histogram(
            "homelabctl_evaluation_duration_seconds",
            "Checks + diagnosis + history, per evaluation",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
            registry=self.registry,
        )
        self.last_success = Gauge(
            "homelabctl_last_successful_evaluation_timestamp_seconds",
            "Unix time of the last evaluation that completed",
            registry=self.registry,
        )
        self.evaluation_failures = Counter(
            "homelabctl_evaluation_failures", "Evaluations that raised", registry=self.registry
        )
        self.watch_errors = Counter(
            "homelabctl_watch_errors",
            "List/watch failures by kind and reason",
            ["kind", "reason"],
            registry=self.registry,
        )
        self.watch_events = Counter("homelabctl_watch_events", "Watch events applied", registry=self.registry)
        self.notifications = Counter(
            "homelabctl_notifications",
            "Notification deliveries by target and outcome",
            ["target", "outcome"],
            registry=self.registry,
        )
        self.kinds_unreadable = Gauge(
            "homelabctl_kinds_unreadable", "Kinds the checks need that cannot be read", registry=self.registry
        )
        self.registry.register(_ReportCollector(self))

    def watch_error(self, gk: str, reason: str) -> None:
        """The watchers' error hook: counted for /metrics, remembered for the dashboard's status line."""
        self.watch_errors.labels(gk, reason).inc()
        with self._lock:
            self._recent.append((time.monotonic(), gk, reason))
            del self._recent[:-RECENT_ERRORS]

    def recent_errors(self, within: float = 300.0) -> list[tuple[str, str]]:
        """(kind, reason) of the failures of the last ``within`` seconds that leave data stale (failed lists
        and streams), oldest first. A 410 is routine, and refused or missing kinds are "not evaluated"."""
        cutoff = time.monotonic() - within
        with self._lock:
            return [
                (gk, reason) for at, gk, reason in self._recent if at >= cutoff and reason in STALE_REASONS
            ]

    def update(self, report: dict[str, Any], causes: list[CauseRecord], now: datetime) -> None:
        with self._lock:
            self._report, self._causes, self._now = report, list(causes), now

    def current(self) -> tuple[dict[str, Any] | None, list[CauseRecord], datetime]:
        with self._lock:
            return self._report, self._causes, self._now

    def render(self) -> bytes:
        return bytes(generate_latest(self.registry))
