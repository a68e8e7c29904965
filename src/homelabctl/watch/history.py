"""Findings and root causes over time, in the incident database: first seen, last seen, resolved at.

It shares the incident store's conventions (WAL, ``BEGIN IMMEDIATE`` writes, append-only versioned
migrations) and its file, so ``homelabctl incident list --db FILE`` shows the incidents ``watch`` opened.
The incident store owns ``PRAGMA user_version``; these tables keep their own version in ``watch_meta``.

An *episode* is one stretch during which a finding or cause is present: it opens when first seen, its
``last_seen`` moves while it stays, and ``resolved_at`` closes it. A cause that comes back later opens a new
episode. ``started_at`` is when the cluster itself says the trouble began (a node's Ready condition's
``lastTransitionTime``) when that is earlier than the first sighting: a watch started on a node NotReady for
three days says "for 3 d 4 h", not "for 2 min".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from homelabctl.errors import StoreError
from homelabctl.incidents.store import write_transaction
from homelabctl.report.common import object_label
from homelabctl.timeutil import format_time, parse_time

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE watch_findings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL,
            check_id TEXT NOT NULL,
            layer TEXT NOT NULL,
            severity TEXT NOT NULL,
            kind TEXT NOT NULL,
            namespace TEXT,
            name TEXT NOT NULL,
            message TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            resolved_at TEXT
        )""",
        "CREATE UNIQUE INDEX watch_findings_open ON watch_findings(key) WHERE resolved_at IS NULL",
        """CREATE TABLE watch_causes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL,
            rule TEXT NOT NULL,
            layer TEXT NOT NULL,
            severity TEXT NOT NULL,
            kind TEXT NOT NULL,
            namespace TEXT,
            name TEXT NOT NULL,
            summary TEXT NOT NULL,
            next_step TEXT NOT NULL DEFAULT '',
            started_at TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            resolved_at TEXT,
            incident_id INTEGER,
            notified TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE UNIQUE INDEX watch_causes_open ON watch_causes(key) WHERE resolved_at IS NULL",
        "CREATE INDEX watch_causes_recent ON watch_causes(first_seen)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
RETENTION = timedelta(days=90)
"""Resolved episodes older than this are deleted (once a day): the history of a flapping finding stays bounded."""
LAST_SEEN_EVERY = timedelta(seconds=60)
"""``last_seen`` of unchanged episodes is written at most this often: no write per evaluation when idle."""


def stamp(moment: datetime) -> str:
    return format_time(moment)


def human_duration(delta: timedelta) -> str:
    """``45 s``, ``12 min``, ``5 h 12 min``, ``3 d 4 h``: how long, at a glance."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 24:
        rest = minutes % 60
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, rest_hours = divmod(hours, 24)
    return f"{days} d {rest_hours} h" if rest_hours else f"{days} d"


class CauseRecord(msgspec.Struct, frozen=True):
    id: int
    key: str
    rule: str
    layer: str
    severity: str
    kind: str
    namespace: str | None
    name: str
    summary: str
    next_step: str
    started_at: str
    first_seen: str
    last_seen: str
    resolved_at: str | None
    incident_id: int | None
    notified: str = ""

    @property
    def object_label(self) -> str:
        return object_label({"kind": self.kind, "namespace": self.namespace, "name": self.name})

    def duration(self, now: datetime) -> timedelta:
        start = parse_time(self.started_at) or now
        end = parse_time(self.resolved_at) if self.resolved_at else now
        return (end or now) - start

    def lasted(self, now: datetime) -> str:
        return human_duration(self.duration(now))

    def to_dict(self, now: datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "layer": self.layer,
            "severity": self.severity,
            "object": {"kind": self.kind, "namespace": self.namespace, "name": self.name},
            "summary": self.summary,
            "next_step": self.next_step,
            "started_at": self.started_at,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "resolved_at": self.resolved_at,
            "duration_seconds": int(self.duration(now).total_seconds()),
            "duration": self.lasted(now),
            "incident_id": self.incident_id,
        }


class Changes(msgspec.Struct):
    new: list[CauseRecord] = msgspec.field(default_factory=list)
    resolved: list[CauseRecord] = msgspec.field(default_factory=list)
    active: list[CauseRecord] = msgspec.field(default_factory=list)
    findings_new: int = 0
    findings_resolved: int = 0


def finding_key(finding: Mapping[str, Any]) -> str:
    obj = finding["object"]
    return f"{finding['check']}|{obj['kind']}|{obj.get('namespace') or ''}|{obj['name']}"


def cause_key(cause: Mapping[str, Any]) -> str:
    obj = cause["object"]
    return f"{cause['rule']}|{obj['kind']}|{obj.get('namespace') or ''}|{obj['name']}"


def first_next_step(cause: Mapping[str, Any]) -> str:
    steps = cause.get("next_steps") or []
    if not steps:
        return ""
    step = steps[0]
    text = str(step.get("text") or "")
    command = step.get("command")
    return f"{text}: {command}" if command else text


_CAUSE_COLUMNS = (
    "id, key, rule, layer, severity, kind, namespace, name, summary, next_step, started_at, first_seen,"
    " last_seen, resolved_at, incident_id, notified"
)


class History:
    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the watch history {self.path}: {exc}") from None
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{self.path}: SQLite refused WAL mode (journal_mode={mode})")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"{self.path} is not a usable database: {exc}") from None
        self._last_touch: datetime | None = None
        self._last_prune: datetime | None = None
        self.retention = RETENTION

    def close(self) -> None:
        self._conn.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return write_transaction(self._conn, self.path)

    @property
    def schema_version(self) -> int:
        row = self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'watch_meta'"
        ).fetchone()
        if row is None:
            return 0
        found = self._conn.execute("SELECT version FROM watch_meta").fetchone()
        return int(found[0]) if found else 0

    def _migrate(self) -> None:
        if self.schema_version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: watch history schema {self.schema_version} is newer than this "
                f"homelabctl understands ({SCHEMA_VERSION}); upgrade homelabctl"
            )
        if self.schema_version == SCHEMA_VERSION:
            return
        with self.transaction() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS watch_meta (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM watch_meta").fetchone()
            current = int(row[0]) if row else 0
            if row is None:
                conn.execute("INSERT INTO watch_meta (version) VALUES (0)")
            for version in range(current, SCHEMA_VERSION):
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                conn.execute("UPDATE watch_meta SET version = ?", (version + 1,))

    # -- the one write per evaluation -------------------------------------------------------------------------
    def record(
        self, report: Mapping[str, Any], now: datetime, started: Mapping[str, datetime] | None = None
    ) -> Changes:
        """Bring the open episodes in line with ``report``. ``started``: cause key → when the cluster says
        it began (earlier than now)."""
        started = started or {}
        when = stamp(now)
        severity_of = {f["id"]: f["severity"] for f in report["findings"]}
        findings = {finding_key(f): f for f in report["findings"]}
        causes = {cause_key(c): c for c in report["root_causes"]}
        changes = Changes()
        touch = self._last_touch is None or now - self._last_touch >= LAST_SEEN_EVERY
        with self.transaction() as conn:
            open_findings = dict(
                conn.execute("SELECT key, id FROM watch_findings WHERE resolved_at IS NULL").fetchall()
            )
            for key, finding in findings.items():
                if key in open_findings:
                    continue
                obj = finding["object"]
                conn.execute(
                    "INSERT INTO watch_findings (key, check_id, layer, severity, kind, namespace, name, message,"
                    " first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        finding["check"],
                        finding["layer"],
                        finding["severity"],
                        obj["kind"],
                        obj.get("namespace"),
                        obj["name"],
                        finding["message"],
                        when,
                        when,
                    ),
                )
                changes.findings_new += 1
            gone = [fid for key, fid in open_findings.items() if key not in findings]
            conn.executemany(
                "UPDATE watch_findings SET resolved_at = ?, last_seen = ? WHERE id = ?",
                [(when, when, fid) for fid in gone],
            )
            changes.findings_resolved = len(gone)
            if touch:
                conn.execute("UPDATE watch_findings SET last_seen = ? WHERE resolved_at IS NULL", (when,))

            open_causes = {
                row[1]: self._cause(row)
                for row in conn.execute(
                    f"SELECT {_CAUSE_COLUMNS} FROM watch_causes WHERE resolved_at IS NULL"
                ).fetchall()
            }
            for key, cause in causes.items():
                if key in open_causes:
                    continue
                obj = cause["object"]
                begin = started.get(key)
                started_at = stamp(begin) if begin is not None and begin < now else when
                cursor = conn.execute(
                    "INSERT INTO watch_causes (key, rule, layer, severity, kind, namespace, name, summary, next_step,"
                    " started_at, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        cause["rule"],
                        cause["layer"],
                        severity_of.get(cause["finding"], "warning"),
                        obj["kind"],
                        obj.get("namespace"),
                        obj["name"],
                        cause["summary"],
                        first_next_step(cause),
                        started_at,
                        when,
                        when,
                    ),
                )
                changes.new.append(self._cause_by_id(conn, int(cursor.lastrowid or 0)))
            for key, record in open_causes.items():
                if key not in causes:
                    conn.execute(
                        "UPDATE watch_causes SET resolved_at = ?, last_seen = ? WHERE id = ?",
                        (when, when, record.id),
                    )
                    changes.resolved.append(self._cause_by_id(conn, record.id))
            if touch:
                conn.execute("UPDATE watch_causes SET last_seen = ? WHERE resolved_at IS NULL", (when,))
            changes.active = [
                self._cause(row)
                for row in conn.execute(
                    f"SELECT {_CAUSE_COLUMNS} FROM watch_causes WHERE resolved_at IS NULL ORDER BY started_at, id"
                )
            ]
        if touch:
            self._last_touch = now
        if self._last_prune is None or now - self._last_prune >= timedelta(days=1):
            self.prune(now - self.retention)
            self._last_prune = now
        return changes

    def prune(self, before: datetime) -> int:
        """Delete episodes resolved before ``before``; returns how many."""
        cutoff = stamp(before)
        with self.transaction() as conn:
            gone = conn.execute(
                "DELETE FROM watch_findings WHERE resolved_at IS NOT NULL AND resolved_at < ?", (cutoff,)
            ).rowcount
            gone += conn.execute(
                "DELETE FROM watch_causes WHERE resolved_at IS NOT NULL AND resolved_at < ?", (cutoff,)
            ).rowcount
        return int(gone)

    def set_incident(self, cause_id: int, incident_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE watch_causes SET incident_id = ? WHERE id = ?", (incident_id, cause_id))

    def mark_notified(self, cause_id: int, event: str) -> bool:
        """Record that ``event`` (new/resolved) was announced; False when it already was (deduplication that
        survives a restart)."""
        with self.transaction() as conn:
            row = conn.execute("SELECT notified FROM watch_causes WHERE id = ?", (cause_id,)).fetchone()
            if row is None:
                return False
            done = set(filter(None, str(row[0]).split(",")))
            if event in done:
                return False
            done.add(event)
            conn.execute(
                "UPDATE watch_causes SET notified = ? WHERE id = ?", (",".join(sorted(done)), cause_id)
            )
            return True

    # -- reads ---------------------------------------------------------------------------------------------
    @staticmethod
    def _cause(row: tuple[Any, ...]) -> CauseRecord:
        return CauseRecord(*row)

    def _cause_by_id(self, conn: sqlite3.Connection, cause_id: int) -> CauseRecord:
        row = conn.execute(f"SELECT {_CAUSE_COLUMNS} FROM watch_causes WHERE id = ?", (cause_id,)).fetchone()
        return self._cause(row)

    def causes(self, limit: int = 200) -> list[CauseRecord]:
        """Episodes, newest first: the dashboard's timeline."""
        return [
            self._cause(row)
            for row in self._conn.execute(
                f"SELECT {_CAUSE_COLUMNS} FROM watch_causes ORDER BY first_seen DESC, id DESC LIMIT ?",
                (limit,),
            )
        ]

    def open_causes(self) -> dict[str, CauseRecord]:
        return {
            r.key: r
            for r in (
                self._cause(row)
                for row in self._conn.execute(
                    f"SELECT {_CAUSE_COLUMNS} FROM watch_causes WHERE resolved_at IS NULL"
                )
            )
        }

    def open_findings(self) -> dict[str, tuple[str, str]]:
        """finding key → (first_seen, last_seen) of its open episode."""
        return {
            str(k): (str(f), str(last))
            for k, f, last in self._conn.execute(
                "SELECT key, first_seen, last_seen FROM watch_findings WHERE resolved_at IS NULL"
            )
        }
