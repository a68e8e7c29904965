"""The evaluator: on every (debounced) change in the store, run checks and diagnosis, bring the history up to
date, open and update incidents, notify, and publish the new report to the HTTP endpoints.

Debounce: an evaluation starts once the store has been quiet for ``debounce`` seconds, or ``max_delay``
seconds after the first change at the latest — a busy cluster (Events every second) is evaluated at a steady
pace, a quiet one not at all (idle CPU ~0: the thread sleeps on a condition variable).
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import logging
import sqlite3
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import msgspec
from msgspec.structs import replace

from homelabctl import __version__
from homelabctl.checks.registry import CheckSpec
from homelabctl.engine import required_kinds
from homelabctl.errors import HomelabctlError
from homelabctl.gcutil import gc_paused
from homelabctl.incidents.model import IncidentDraft, TimelineEntry
from homelabctl.incidents.store import IncidentStore
from homelabctl.k8s import conditions as k8s_conditions
from homelabctl.model import Resource
from homelabctl.sources.base import ClusterState
from homelabctl.sources.snapshot import MANIFEST_NAME
from homelabctl.timeutil import format_time, parse_time
from homelabctl.watch.history import CauseRecord, Changes, History, cause_key
from homelabctl.watch.metrics import WatchMetrics
from homelabctl.watch.notify import Notice, Notifier
from homelabctl.watch.store import StateStore

log = logging.getLogger("homelabctl.watch")

INCIDENT_FIELDS = ("id", "rule", "layer", "object", "summary", "confidence", "next_steps")
SNAPSHOT_DIR = "watch-snapshots"
ALERT_REFRESH = 60.0
"""Seconds between re-sends of firing alerts to Alertmanager (its default resolve_timeout is 5 minutes)."""


class Evaluation(msgspec.Struct):
    """What the endpoints serve: one immutable result, swapped in whole."""

    report: dict[str, Any]
    report_json: bytes
    active: list[CauseRecord]
    timeline: list[CauseRecord]
    at: datetime
    generation: int
    seconds: float
    open_findings: dict[str, tuple[str, str]] = msgspec.field(default_factory=dict)


def started_hints(state: ClusterState, report: dict[str, Any]) -> dict[str, datetime]:
    """When the cluster itself says each cause began: the ``lastTransitionTime`` of the cause object's
    ``Ready`` condition when it is not True (nodes, Flux objects, certificates, ...)."""
    hints: dict[str, datetime] = {}
    gks_by_kind: dict[str, list[str]] = {}
    for gk in state.index.kinds:
        gks_by_kind.setdefault(gk.partition(".")[0], []).append(gk)
    for cause in report["root_causes"]:
        obj = cause["object"]
        for gk in sorted(gks_by_kind.get(obj["kind"], []), key=lambda g: "." in g):
            res = state.index.get(gk, obj.get("namespace"), obj["name"])
            if res is None:
                continue
            ready = k8s_conditions.condition(res, "Ready")
            if ready is not None and ready.status != "True":
                moment = parse_time(ready.last_transition_time or None)
                if moment is not None:
                    hints[cause_key(cause)] = moment
            break
    return hints


def write_snapshot(state: ClusterState, directory: Path, name: str) -> tuple[Path, str]:
    """The (already redacted) objects as a snapshot tarball ``snapshot serve`` and ``--snapshot`` read.
    Returns (path, sha256 of the file)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.tar.gz"
    top = name
    objects = sorted(state.index, key=lambda r: (r.gk, r.namespace or "", r.name))
    statuses = state.kind_status
    manifest = {
        "schema": "homelabctl.snapshot/v1",
        "capturedAt": format_time(state.reference_time),
        "serverVersion": state.server_version or "",
        "homelabctlVersion": __version__,
        "source": {"context": state.source.name, "server": "homelabctl watch"},
        "redaction": "objects as homelabctl watch holds them: redacted on arrival",
        "kinds": {
            "captured": sorted(gk for gk, s in statuses.items() if s.readable),
            "forbidden": {gk: s.reason for gk, s in sorted(statuses.items()) if s.state == "forbidden"},
            "notInstalled": {
                gk: s.reason for gk, s in sorted(statuses.items()) if s.state in ("not_installed", "absent")
            },
            "failed": {gk: s.reason for gk, s in sorted(statuses.items()) if s.state == "error"},
        },
        "files": {"objects.json": {"count": len(objects)}},
    }
    partial = path.with_name(path.name + ".part")
    with tempfile.TemporaryFile(dir=directory) as listing, tarfile.open(partial, "w:gz") as tar:
        _write_listing(listing, objects)
        described = json.dumps(manifest, indent=2).encode()
        for member, data, size in (
            (MANIFEST_NAME, io.BytesIO(described), len(described)),
            ("objects.json", listing, listing.tell()),
        ):
            info = tarfile.TarInfo(f"{top}/{member}")
            info.size, info.mode, info.mtime = size, 0o644, int(time.time())
            data.seek(0)
            tar.addfile(info, data)
    partial.replace(path)
    with path.open("rb") as saved:
        digest = hashlib.file_digest(saved, "sha256").hexdigest()
    return path, digest


def _write_listing(out: IO[bytes], objects: Sequence[Resource]) -> None:
    """The objects as one kubectl ``List``, written object by object: the whole text (as large as the
    cluster's snapshot, twice over as str and bytes) never exists at once in a process that holds the
    cluster already. The bytes are those of ``json.dumps`` of the whole list."""
    out.write(b'{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[')
    for number, res in enumerate(objects):
        if number:
            out.write(b",")
        out.write(json.dumps(res.raw, separators=(",", ":"), default=str).encode())
    out.write(b"]}")


M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8
"""glibc's mallopt parameters (malloc.h)."""
MMAP_THRESHOLD = 128 * 1024
ARENA_MAX = 2


def _libc() -> Any:
    global _libc_handle
    if _libc_handle is None:
        try:
            import ctypes

            handle = ctypes.CDLL("libc.so.6")
        except OSError:
            handle = None
        # glibc's calls (musl has neither)
        _libc_handle = handle if hasattr(handle, "mallopt") and hasattr(handle, "malloc_trim") else False
    return _libc_handle


def tune_allocator() -> None:
    """Keep the C allocator's memory near what is in use, for a process that lives for weeks and whose
    threads (one per watched kind, the evaluator, the HTTP loop) each allocate and free large buffers: list
    pages, reports, HTTP bodies. By default glibc gives every thread that contends an arena of its own (up to
    8 per core), each keeping its freed memory, and raises its mmap threshold to the largest block freed,
    so later list pages come from those heaps and stay resident after they are freed. Two arenas (the GIL
    serialises Python's allocations anyway) and a fixed 128 KiB threshold (large buffers are mapped and
    unmapped) took 3-4 MB off the watch's resident memory at 10,000 objects. Process-wide, and a no-op
    outside glibc."""
    libc = _libc()
    if libc:
        libc.mallopt(M_ARENA_MAX, ARENA_MAX)
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def release_free_memory() -> None:
    """Give the pages freed by an evaluation back to the OS. Parsing, redacting and evaluating leave holes
    in glibc's heap (dict tables over 512 bytes live there) that RSS keeps counting; ``malloc_trim`` returns
    them. A no-op where the C library has no such call."""
    libc = _libc()
    if libc:
        libc.malloc_trim(0)


_libc_handle: Any = None


class WatchService:
    def __init__(
        self,
        store: StateStore,
        specs: Sequence[CheckSpec],
        *,
        history: History,
        incidents: Path | None = None,
        notifier: Notifier | None = None,
        metrics: WatchMetrics | None = None,
        debounce: float = 0.3,
        max_delay: float = 1.5,
        tick: float = 60.0,
        dashboard_url: str = "",
        incident_severity: str = "critical",
        on_report: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        tune_allocator()
        self.store = store
        self.specs = list(specs)
        self.kinds = required_kinds(self.specs)
        self.history = history
        self.incidents = incidents
        """The incident database; opened for each write (the evaluator's thread, never the caller's)."""
        self.notifier = notifier
        self.metrics = metrics or WatchMetrics()
        self.debounce = debounce
        self.max_delay = max_delay
        self.tick = tick
        self.dashboard_url = dashboard_url
        self.incident_severity = incident_severity
        self.on_report = on_report
        """Called with each new report after it is published (``--output-file``); failures are logged."""
        self.current: Evaluation | None = None
        self.last_error: str | None = None
        self.history_error: str | None = None
        self.evaluations = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="evaluate", daemon=True)
        self._lock = threading.Lock()
        self.heartbeat = time.monotonic()
        self._refreshed = time.monotonic()

    # -- lifecycle ------------------------------------------------------------------------------------------
    def start(self) -> None:
        if self.notifier is not None:
            self.notifier.start()
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self.store.close()
        self._thread.join(timeout=10)
        if self.notifier is not None:
            self.notifier.stop()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def ready(self) -> bool:
        return self.current is not None

    def _refresh_alerts(self) -> None:
        if self.notifier is None or not self.notifier.wants_refresh or self.current is None:
            return
        if time.monotonic() - self._refreshed < ALERT_REFRESH:
            return
        self._refreshed = time.monotonic()
        now = self.store.now()
        self.notifier.refresh(
            [Notice("new", c, c.lasted(now), now, self.dashboard_url) for c in self.current.active]
        )

    def _run(self) -> None:
        seen = -1
        while not self._stopping.is_set():
            self.heartbeat = time.monotonic()
            self._refresh_alerts()
            if not self.store.synced(self.kinds):
                seen = self.store.wait_for_change(seen, timeout=1.0)
                continue
            if self.current is None:  # synced: the first evaluation does not wait for a change
                generation = self.store.generation
            else:
                generation = self.store.wait_for_change(seen, timeout=self.tick)
                if generation == seen:
                    continue
            if self._stopping.is_set():
                return
            first = time.monotonic()
            while time.monotonic() - first < self.max_delay:
                later = self.store.wait_for_change(generation, timeout=self.debounce)
                if later == generation:
                    break
                generation = later
            try:
                seen = self.evaluate()
            except Exception as exc:  # an evaluation bug must not stop the watch: the next change retries
                log.exception("evaluation failed")
                self.last_error = f"{type(exc).__name__}: {exc}"
                self.metrics.evaluation_failures.inc()
                seen = generation

    # -- one evaluation -------------------------------------------------------------------------------------
    def evaluate(self) -> int:
        """Evaluate the store as it is now; returns the generation evaluated. Serialized: safe to call from
        tests while the thread runs."""
        from homelabctl.analysis import analyze

        with self._lock:
            started = time.perf_counter()
            with gc_paused():  # tens of thousands of short-lived records; see gcutil
                state, generation = self.store.state()
                analysis = analyze(state, self.specs)
            report = analysis.report
            now = state.reference_time
            try:
                changes = self.history.record(report, now, started_hints(state, report))
                self.history_error = None
            except (HomelabctlError, sqlite3.Error) as exc:  # the report still goes out; history catches up
                log.error("cannot write the history: %s", exc)
                self.history_error = f"history not written: {exc}"
                changes = Changes()
            report_json = json.dumps(report, ensure_ascii=False).encode()
            seconds = time.perf_counter() - started
            # Published before the slow side effects (snapshot tarball, incident writes, notifications):
            # /api/report and /metrics follow the cluster as soon as the evaluation itself is done.
            self._publish(report, report_json, now, generation, seconds)
            self.metrics.kinds_unreadable.set(
                sum(1 for gk in self.kinds if not state.availability(gk).readable)
            )
            opening = [c for c in changes.new if c.severity == self.incident_severity]
            if self.incidents is not None and opening:
                snapshot = self._snapshot(state)
                changes.new = [
                    self._open_incident(c, state, report, snapshot) if c in opening else c
                    for c in changes.new
                ]
                self._publish(report, report_json, now, generation, seconds)  # with the incident numbers
            self._resolve_incidents(changes, now)
            self._notify(changes, now)
            if self.on_report is not None:
                try:
                    self.on_report(report)
                except (OSError, HomelabctlError) as exc:
                    log.error("cannot write the report file: %s", exc)
            self.evaluations += 1
            self.last_error = None
            self.metrics.evaluation_seconds.observe(seconds)
            self.metrics.last_success.set(time.time())
        # What survives an evaluation is the store's objects and the published report: collect the cycles
        # once, then freeze the survivors so the next evaluation's collections do not rescan the whole
        # cluster. Frozen objects are still freed by reference counting when replaced.
        gc.collect()
        gc.freeze()
        release_free_memory()
        return generation

    def _publish(
        self, report: dict[str, Any], report_json: bytes, now: datetime, generation: int, seconds: float
    ) -> None:
        try:
            active = sorted(self.history.open_causes().values(), key=lambda c: (c.started_at, c.id))
            timeline, seen = self.history.causes(), self.history.open_findings()
        except sqlite3.Error as exc:
            log.error("cannot read the history: %s", exc)
            active, timeline, seen = [], [], {}
        self.current = Evaluation(report, report_json, active, timeline, now, generation, seconds, seen)
        self.metrics.update(report, active, now)

    def _snapshot(self, state: ClusterState) -> dict[str, Any] | None:
        """One snapshot per evaluation, shared by every incident it opens."""
        stamp_text = format_time(state.reference_time).replace(":", "").replace("-", "")
        try:
            path, digest = write_snapshot(
                state, self.history.path.parent / SNAPSHOT_DIR, f"watch-{stamp_text}-{self.evaluations + 1}"
            )
        except OSError as exc:
            log.warning("cannot save the incident snapshot: %s", exc)
            return None
        return {
            "type": "snapshot",
            "name": str(path),
            "paths": [str(path)],
            "sha256": digest,
            "objects": len(state.index),
            "reference_time": format_time(state.reference_time),
        }

    def _open_incident(
        self, cause: CauseRecord, state: ClusterState, report: dict[str, Any], snapshot: dict[str, Any] | None
    ) -> CauseRecord:
        assert self.incidents is not None
        severity_of = {f["id"]: f["severity"] for f in report["findings"]}
        attached = [
            {k: c[k] for k in INCIDENT_FIELDS if k in c} | {"severity": severity_of.get(c["finding"], "")}
            for c in report["root_causes"]
            if cause_key(c) == cause.key
        ]
        at = parse_time(cause.first_seen) or state.reference_time
        draft = IncidentDraft(
            title=(
                cause.summary if cause.name in cause.summary else f"{cause.object_label}: {cause.summary}"
            )[:200],
            severity="P1",
            date=at.date().isoformat(),
            what_happened=(
                f"homelabctl watch found a {cause.severity} root cause already present when it started "
                f"(the cluster dates it from {cause.started_at}): {cause.summary}"
                if self.evaluations == 0
                else f"homelabctl watch found a new {cause.severity} root cause: {cause.summary}"
            ),
            direct_cause=cause.summary,
            timeline=[
                TimelineEntry(
                    at.strftime("%Y-%m-%d %H:%M"),
                    f"Detected by homelabctl watch: {cause.summary} ({cause.object_label}); "
                    f"started {cause.started_at}"
                    + (f"; next step: {cause.next_step}" if cause.next_step else ""),
                )
            ],
            root_causes=attached,
            snapshot_ref=snapshot,
        )
        try:
            with IncidentStore(self.incidents) as store:
                incident = store.create(draft)
        except HomelabctlError as exc:  # the watch goes on; the dashboard and notifications still say it
            log.error("cannot open an incident for %s: %s", cause.summary, exc)
            return cause
        self.history.set_incident(cause.id, incident.id)
        return replace(cause, incident_id=incident.id)

    def _resolve_incidents(self, changes: Changes, now: datetime) -> None:
        if self.incidents is None:
            return
        for cause in changes.resolved:
            if cause.incident_id is None:
                continue
            entry = TimelineEntry(
                now.strftime("%Y-%m-%d %H:%M"),
                f"Resolved (seen by homelabctl watch): {cause.summary} ({cause.object_label}) "
                f"after {cause.lasted(now)}",
            )
            try:
                with IncidentStore(self.incidents) as store:
                    store.update(cause.incident_id, add_timeline=[entry])
            except HomelabctlError as exc:
                log.error("cannot update incident %s: %s", cause.incident_id, exc)

    def _notify(self, changes: Changes, now: datetime) -> None:
        if self.notifier is None or not self.notifier.targets:
            return
        for event, causes in (("new", changes.new), ("resolved", changes.resolved)):
            for cause in causes:
                if self.history.mark_notified(cause.id, event):
                    self.notifier.post(
                        Notice(
                            event,  # type: ignore[arg-type]
                            cause,
                            cause.lasted(now),
                            now,
                            self.dashboard_url,
                        )
                    )
