"""``watch`` against a served timeline (the styx incident): a node goes NotReady, its pods go Terminating,
the node comes back. The report, the history, the incident record, the notifications (to a local receiver)
and the metrics follow each step, through real HTTP on both sides."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from homelabctl.engine import required_kinds, select_checks
from homelabctl.incidents.store import IncidentStore
from homelabctl.live.server import kubeconfig_for
from homelabctl.report.build import validate_report
from homelabctl.sources.base import KindStatus
from homelabctl.sources.snapshot import SnapshotSource
from homelabctl.watch.history import History
from homelabctl.watch.http import HttpThread
from homelabctl.watch.live import LiveWatch, connect_watch
from homelabctl.watch.metrics import WatchMetrics
from homelabctl.watch.notify import Notifier, parse_target
from homelabctl.watch.service import WatchService
from homelabctl.watch.timeline import TimelineServer

from .conftest import NODE, Receiver, Timeline


def wait_until(predicate: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or predicate}")


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except urllib.error.URLError:  # not listening (yet)
        return 0, ""


@dataclass
class Running:
    server: TimelineServer
    live: LiveWatch
    service: WatchService
    http: HttpThread
    db: Path
    metrics: WatchMetrics

    def report(self) -> dict[str, Any]:
        status, body = get(self.http.url + "/api/report")
        assert status == 200, body
        data: dict[str, Any] = json.loads(body)
        return data

    def causes(self) -> list[tuple[str, str]]:
        return [(c["object"]["kind"], c["object"]["name"]) for c in self.report()["root_causes"]]


@contextmanager
def running(first: Any, tmp_path: Path, notify: list[str]) -> Iterator[Running]:
    specs = select_checks()
    with TimelineServer(first) as server:
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(kubeconfig_for(server.url), encoding="utf-8")
        metrics = WatchMetrics()
        db = tmp_path / "state" / "homelabctl.db"
        history = History(db)
        notifier = Notifier([parse_target(u) for u in notify], burst=20, per=0.1)
        live = connect_watch(
            required_kinds(specs), kubeconfig=kubeconfig, relist_interval=600, on_error=metrics.watch_error
        )
        service = WatchService(
            live.store,
            specs,
            history=history,
            incidents=db,
            notifier=notifier,
            metrics=metrics,
            debounce=0.1,
            max_delay=0.5,
            dashboard_url="http://watch.test/",
        )
        http = HttpThread(service).start()
        live.start()
        service.start()
        try:
            yield Running(server, live, service, http, db, metrics)
        finally:
            live.stop()
            service.stop()
            http.stop()
            history.close()


def test_watch_follows_the_styx_timeline(timeline: Timeline, tmp_path: Path, receiver: Receiver) -> None:
    notify = [
        f"{receiver.url}/hook",
        f"ntfy+{receiver.url}/homelab",
        f"discord+{receiver.url}/discord",
        f"alertmanager+{receiver.url}",
    ]
    with running(timeline.healthy, tmp_path, notify) as run:
        url = run.http.url
        # -- healthy: ready, no cause, nothing sent
        wait_until(lambda: get(url + "/readyz")[0] == 200, what="readyz")
        assert get(url + "/healthz")[0] == 200
        report = run.report()
        validate_report(report)
        assert report["root_causes"] == [] and report["summary"]["critical"] == 0
        assert report["source"]["type"] == "live"

        # -- the node goes NotReady: one root cause, lasting as long as the node says (3 d 4 h)
        run.server.advance(timeline.node_down)
        wait_until(lambda: ("Node", NODE) in run.causes(), what="node-down cause")
        report = run.report()
        validate_report(report)
        cause = report["root_causes"][0]
        assert cause["rule"] == "node-down"
        with _history(run.db) as history:
            active = list(history.open_causes().values())
        assert [(a.kind, a.name) for a in active] == [("Node", NODE)]
        assert active[0].started_at == "2025-06-12T22:14:09Z"
        assert active[0].lasted(run.service.store.now()).startswith("3 d 4 h")

        # the incident record: opened once, with the redacted snapshot saved next to the database
        def incidents_now() -> list[Any]:
            with IncidentStore(run.db) as incidents:
                return incidents.incidents()

        # the report is published first; the incident (snapshot tarball, record) follows
        opened = wait_until(incidents_now, what="incident opened")
        assert len(opened) == 1
        incident = opened[0]
        assert NODE in incident.title and incident.severity == "P1"
        assert "found a new critical root cause" in incident.what_happened
        snapshot_path = Path(incident.snapshot_ref["paths"][0])
        assert snapshot_path.parent.parent == run.db.parent and snapshot_path.is_file()
        saved = SnapshotSource([snapshot_path]).load()
        assert saved.index.get("Node", None, NODE) is not None
        assert not [
            s
            for s in saved.index.all("Secret")
            if "homelabctl-redacted" not in json.dumps(s.raw["data"]) and s.raw.get("data")
        ]

        # notifications: every target got one "new" naming the cause, how long, the first next step
        assert receiver.wait_for(4), receiver.requests
        generic = receiver.json_bodies("/hook")
        assert len(generic) == 1 and generic[0]["event"] == "new"
        assert generic[0]["duration"].startswith("3 d 4 h")
        assert NODE in generic[0]["text"] and "Next step:" in generic[0]["text"]
        ntfy = [(h, b) for p, h, b in receiver.requests if p == "/homelab"]
        assert ntfy and ntfy[0][0]["Priority"] == "5" and b"for 3 d 4 h" in ntfy[0][1]
        discord = receiver.json_bodies("/discord")
        assert "content" in discord[0] and NODE in discord[0]["content"]
        alerts = receiver.json_bodies("/api/v2/alerts")
        assert alerts[0][0]["labels"]["alertname"] == "HomelabctlRootCause"
        assert alerts[0][0]["labels"]["name"] == NODE and "endsAt" not in alerts[0][0]

        # metrics
        text = get(url + "/metrics")[1]
        assert 'homelabctl_root_causes{severity="critical"} 1.0' in text
        assert f'name="{NODE}"' in text and "homelabctl_root_cause_active_seconds" in text
        assert "homelabctl_last_successful_evaluation_timestamp_seconds" in text
        assert 'homelabctl_findings{check="node-not-ready",layer="node",severity="critical"} 1.0' in text

        # -- the pods go Terminating: still one cause, the stuck pods grouped under it; no new notification
        sent_before = len(receiver.requests)
        run.server.advance(timeline.terminating)

        def grouped() -> bool:
            report = run.report()
            if not report["root_causes"]:
                return False
            by_id = {f["id"]: f for f in report["findings"]}
            names = {by_id[s]["object"]["name"] for s in report["root_causes"][0]["symptoms"]}
            return set(timeline.stuck_pods) <= names

        wait_until(grouped, what="stuck pods grouped under the node")
        assert run.causes() == [("Node", NODE)]
        text = get(url + "/metrics")[1]
        assert (
            'homelabctl_findings{check="pod-stuck-terminating",layer="workload",severity="critical"} 8.0'
            in text
        )
        time.sleep(0.5)
        assert len(receiver.requests) == sent_before  # the same episode: deduplicated
        with IncidentStore(run.db) as incidents:
            assert len(incidents.incidents()) == 1

        # -- the node comes back, the stuck pods are deleted: resolved everywhere
        run.server.advance(timeline.recovered)
        wait_until(lambda: run.report()["root_causes"] == [], what="cause resolved")
        report = run.report()
        assert report["summary"]["critical"] == 0
        assert not {f["object"]["name"] for f in report["findings"]} & set(timeline.stuck_pods)
        assert receiver.wait_for(sent_before + 4)
        resolved = [b for b in receiver.json_bodies("/hook") if b["event"] == "resolved"]
        assert len(resolved) == 1 and resolved[0]["cause"]["resolved_at"]
        alerts = receiver.json_bodies("/api/v2/alerts")
        assert "endsAt" in alerts[-1][0]
        with IncidentStore(run.db) as incidents:
            timeline_text = [e.text for e in incidents.get(incident.id).timeline]
        assert any(t.startswith("Resolved") and NODE in t for t in timeline_text)
        with _history(run.db) as history:
            episodes = history.causes()
        assert len(episodes) == 1 and episodes[0].resolved_at is not None
        text = get(url + "/metrics")[1]
        assert 'homelabctl_root_causes{severity="critical"} 0.0' in text
        assert "pod-stuck-terminating" not in text and 'check="node-not-ready"' not in text
        assert "homelabctl_root_cause_active_seconds{" not in text

        # the dashboard shows the episode in its timeline
        page = get(url + "/")[1]
        assert "Timeline of root causes" in page and NODE in page


def test_a_cause_present_at_start_opens_an_incident_that_says_so(timeline: Timeline, tmp_path: Path) -> None:
    """Started during an outage: the record says the cause predates the watch and dates it from the cluster."""
    with running(timeline.node_down, tmp_path, []) as run:
        wait_until(lambda: get(run.http.url + "/readyz")[0] == 200, what="readyz")
        assert ("Node", NODE) in run.causes()

        def incidents_now() -> list[Any]:
            with IncidentStore(run.db) as incidents:
                return incidents.incidents()

        opened = wait_until(incidents_now, what="incident opened")
        assert len(opened) == 1
        text = opened[0].what_happened
        assert "already present when it started" in text and "2025-06-12T22:14:09Z" in text
        assert "found a new" not in text


@contextmanager
def _history(db: Path) -> Iterator[History]:
    history = History(db)
    try:
        yield history
    finally:
        history.close()


def test_kinds_served_later_are_discovered_and_watched(timeline: Timeline, tmp_path: Path) -> None:
    """A CRD installed after the start: the periodic rediscovery finds its kind and starts watching it."""
    specs = select_checks()
    with TimelineServer(timeline.healthy) as server:
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(kubeconfig_for(server.url), encoding="utf-8")
        live = connect_watch(required_kinds(specs), kubeconfig=kubeconfig)
        gk = "HelmRelease.helm.toolkit.fluxcd.io"
        # as if the server had not served it at the start
        del live.transport.resolved[gk]
        live.watcher.kinds.remove(gk)
        live.watcher.kind_watchers = [w for w in live.watcher.kind_watchers if w.gk != gk]
        live.store.set_status(
            gk, KindStatus("not_installed", "helmreleases.helm.toolkit.fluxcd.io not installed")
        )
        live.start()
        try:
            wait_until(lambda: live.store.synced(live.watcher.kinds), what="synced")
            assert not live.store.state()[0].availability(gk).readable
            assert live.rediscover() == [gk]
            assert live.rediscover() == []
            wait_until(lambda: live.store.state()[0].index.has(gk), what="HelmReleases listed")
            assert live.store.state()[0].availability(gk).readable
        finally:
            live.stop()


def test_a_broken_history_does_not_stop_the_report(timeline: Timeline, tmp_path: Path) -> None:
    """The database going away (disk full, file deleted): /api/report keeps following the cluster and the
    page says the history is not being written."""
    with running(timeline.healthy, tmp_path, []) as run:
        wait_until(lambda: get(run.http.url + "/readyz")[0] == 200, what="ready")
        run.service.history.close()  # every later write fails
        run.server.advance(timeline.node_down)
        wait_until(lambda: ("Node", NODE) in run.causes(), what="cause without history")
        assert "history not written" in get(run.http.url + "/")[1]
