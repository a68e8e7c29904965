"""The incident log: one SQLite file in WAL mode, schema versioned with ``PRAGMA user_version``.

Every write is one ``BEGIN IMMEDIATE`` transaction, so two processes appending to the same incident
serialize on SQLite's write lock instead of overwriting each other, and a process killed mid-write
leaves nothing behind but an uncommitted WAL tail that the next open discards.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Literal, ParamSpec, TypeVar

import msgspec

from homelabctl.errors import InputError, StoreError
from homelabctl.incidents.model import (
    ActionItem,
    Incident,
    IncidentDraft,
    Priority,
    TimelineEntry,
    check_date,
    check_priority,
)
from homelabctl.incidents.sanitize import clean_text
from homelabctl.timeutil import utcnow

P = ParamSpec("P")
R = TypeVar("R")

ENV_VAR = "HOMELABCTL_DB"
DB_FILENAME = "incidents.db"
NoteKind = Literal["contributing", "well", "improve", "lesson"]

# Each entry moves the schema from version i to i+1. Append only: a released migration never changes.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE incidents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            title TEXT NOT NULL CHECK (length(trim(title)) > 0),
            date TEXT NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('P0', 'P1', 'P2', 'P3')),
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            what_happened TEXT NOT NULL DEFAULT '',
            direct_cause TEXT NOT NULL DEFAULT '',
            root_causes TEXT NOT NULL DEFAULT '[]',
            snapshot_ref TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            closed_at TEXT
        )""",
        """CREATE TABLE timeline (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
            time TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX timeline_by_incident ON timeline(incident_id, id)",
        """CREATE TABLE notes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('contributing', 'well', 'improve', 'lesson')),
            text TEXT NOT NULL
        )""",
        "CREATE INDEX notes_by_incident ON notes(incident_id, kind, id)",
        """CREATE TABLE actions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            owner TEXT NOT NULL DEFAULT '',
            priority TEXT NOT NULL CHECK (priority IN ('P0', 'P1', 'P2', 'P3')),
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
            created_at TEXT NOT NULL,
            done_at TEXT
        )""",
        "CREATE INDEX actions_by_incident ON actions(incident_id, id)",
    ),
    (
        """CREATE TABLE handoffs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT ''
        )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def _now() -> str:
    # Microseconds: "since the last handoff" compares these strings, and a handoff and an update can
    # happen within the same second.
    return utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """A damaged file found mid-way (a corrupt page that quick_check did not reach, a file swapped under
    us) is a clear one-line error, never a traceback."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.DatabaseError as exc:
            store = args[0]
            raise StoreError(
                f"{getattr(store, 'path', 'the incident database')} is damaged: {exc}; nothing was "
                "written (restore it from a backup, or move it aside to start a new one)"
            ) from None

    return wrapper


def _private_file(path: Path) -> None:
    """The log holds what went wrong and how: readable by its owner only (0600, its directory 0700)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError:
        return  # sqlite3.connect reports it better
    try:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and info.st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("homelabctl")) / DB_FILENAME


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` wins, then ``$HOMELABCTL_DB``, then the per-user data directory."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return default_db_path()


class ActionRef(msgspec.Struct, frozen=True):
    """An action item with the incident it belongs to (for handoffs and priority lists)."""

    incident_id: int
    incident_title: str
    number: int
    """1-based position within its incident: what ``incident update --done N`` takes."""
    item: ActionItem
    created_at: str
    done_at: str | None


class Changes(msgspec.Struct, frozen=True):
    """What was written to the log after a moment (the previous handoff)."""

    since: str | None
    opened: tuple[Incident, ...]
    closed: tuple[Incident, ...]
    timeline: tuple[tuple[Incident, TimelineEntry], ...]
    actions_added: tuple[ActionRef, ...]
    actions_done: tuple[ActionRef, ...]

    @property
    def empty(self) -> bool:
        return not (self.opened or self.closed or self.timeline or self.actions_added or self.actions_done)


def _clean(value: Any) -> str:
    return clean_text(value) if isinstance(value, str) else "" if value is None else clean_text(str(value))


def _json_value(text: Any, default: Any) -> Any:
    try:
        value = json.loads(text or "null")
    except (ValueError, TypeError):
        return default
    if isinstance(value, list):
        return [clean_text(v) if isinstance(v, str) else v for v in value]
    return default if value is None else value


@contextmanager
def write_transaction(conn: sqlite3.Connection, path: Path) -> Iterator[sqlite3.Connection]:
    """One atomic write on a connection in autocommit mode (the incident store's, the watch history's: they
    share the file). Anything raised inside rolls it back; a lock or a failed commit is a StoreError."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise StoreError(f"{path}: cannot start a write ({exc})") from None
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        conn.execute("ROLLBACK")
        raise StoreError(f"{path}: write failed: {exc}") from None


class IncidentStore:
    def __init__(
        self, path: str | os.PathLike[str], *, timeout: float = 30.0, clock: Callable[[], str] | None = None
    ) -> None:
        self.path = Path(path)
        self._clock = clock or _now
        try:
            if not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, mode=0o700)
        except OSError as exc:
            raise StoreError(f"cannot create the directory for {self.path}: {exc.strerror or exc}") from None
        _private_file(self.path)  # before SQLite creates it (0644); its -wal and -shm files take its mode
        try:
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so the write lock is taken before
            # the first read of a read-modify-write and no transaction is ever upgraded half way.
            self._conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open incident database {self.path}: {exc}") from None
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            # before anything is written: a damaged file stays exactly as it is
            check = [
                line.strip()
                for row in self._conn.execute("PRAGMA quick_check(5)").fetchall()
                for line in str(row[0]).splitlines()
                if line.strip() and not line.startswith("***")
            ]
            if check != ["ok"]:
                raise StoreError(
                    f"{self.path} is damaged (SQLite quick_check: {'; '.join(check)[:300]}); "
                    "nothing was written (restore it from a backup, or move it aside to start a new "
                    "one)"
                )
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(
                    f"{self.path}: SQLite refused WAL mode (journal_mode={mode}); "
                    "is it on a network filesystem?"
                )
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(
                f"{self.path} is not a usable incident database: {exc}; nothing was written"
            ) from None
        except StoreError:
            self._conn.close()
            raise

    # -- plumbing ------------------------------------------------------------------------------------------
    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> IncidentStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One atomic write. Anything raised inside rolls the whole transaction back."""
        return write_transaction(self._conn, self.path)

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        if self.schema_version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {self.schema_version}, newer than this "
                f"homelabctl understands ({SCHEMA_VERSION}); upgrade homelabctl"
            )
        if self.schema_version == SCHEMA_VERSION:
            return
        with self.transaction() as conn:
            # Re-read under the write lock: another process may have migrated while we waited.
            current = int(conn.execute("PRAGMA user_version").fetchone()[0])
            for version in range(current, SCHEMA_VERSION):
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1}")

    def integrity_check(self) -> str:
        return str(self._conn.execute("PRAGMA integrity_check").fetchone()[0])

    # -- writes --------------------------------------------------------------------------------------------
    @_guarded
    def create(self, draft: IncidentDraft) -> Incident:
        draft.validate()
        now = self._clock()
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO incidents (title, date, severity, what_happened, direct_cause, root_causes,"
                " snapshot_ref, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    draft.title.strip(),
                    draft.date,
                    draft.severity,
                    draft.what_happened.strip(),
                    draft.direct_cause.strip(),
                    json.dumps(draft.root_causes, sort_keys=True),
                    json.dumps(draft.snapshot_ref, sort_keys=True) if draft.snapshot_ref else None,
                    now,
                    now,
                ),
            )
            incident_id = int(cursor.lastrowid or 0)
            self._insert_children(
                conn,
                incident_id,
                now,
                timeline=draft.timeline,
                notes=[("contributing", t) for t in draft.contributing_factors]
                + [("well", t) for t in draft.went_well]
                + [("improve", t) for t in draft.could_improve]
                + [("lesson", t) for t in draft.lessons],
                actions=draft.action_items,
            )
        return self.get(incident_id)

    def _insert_children(
        self,
        conn: sqlite3.Connection,
        incident_id: int,
        now: str,
        *,
        timeline: Sequence[TimelineEntry] = (),
        notes: Sequence[tuple[NoteKind, str]] = (),
        actions: Sequence[ActionItem] = (),
    ) -> None:
        for entry in timeline:
            conn.execute(
                "INSERT INTO timeline (incident_id, time, text, created_at) VALUES (?, ?, ?, ?)",
                (incident_id, entry.time, entry.text, now),
            )
        for kind, text in notes:
            if text.strip():
                conn.execute(
                    "INSERT INTO notes (incident_id, kind, text) VALUES (?, ?, ?)",
                    (incident_id, kind, text.strip()),
                )
        for action in actions:
            check_priority(action.priority, "action priority")
            conn.execute(
                "INSERT INTO actions (incident_id, text, owner, priority, status, created_at, done_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    incident_id,
                    action.text.strip(),
                    action.owner.strip(),
                    action.priority,
                    action.status,
                    now,
                    now if action.status == "done" else None,
                ),
            )

    @_guarded
    def update(
        self,
        incident_id: int,
        *,
        title: str | None = None,
        severity: str | None = None,
        date: str | None = None,
        what_happened: str | None = None,
        direct_cause: str | None = None,
        add_timeline: Sequence[TimelineEntry] = (),
        add_contributing: Sequence[str] = (),
        add_well: Sequence[str] = (),
        add_improve: Sequence[str] = (),
        add_lessons: Sequence[str] = (),
        add_actions: Sequence[ActionItem] = (),
        done_actions: Sequence[int] = (),
    ) -> Incident:
        if title is not None and not title.strip():
            raise InputError("the title cannot be empty")
        if severity is not None:
            check_priority(severity, "severity")
        if date is not None:
            check_date(date)
        now = self._clock()
        with self.transaction() as conn:
            self._require(conn, incident_id)
            fields: dict[str, str] = {}
            for column, value in (
                ("title", title),
                ("severity", severity),
                ("date", date),
                ("what_happened", what_happened),
                ("direct_cause", direct_cause),
            ):
                if value is not None:
                    fields[column] = value.strip()
            fields["updated_at"] = now
            assignments = ", ".join(f"{column} = ?" for column in fields)
            conn.execute(f"UPDATE incidents SET {assignments} WHERE id = ?", (*fields.values(), incident_id))
            self._insert_children(
                conn,
                incident_id,
                now,
                timeline=add_timeline,
                notes=[("contributing", t) for t in add_contributing]
                + [("well", t) for t in add_well]
                + [("improve", t) for t in add_improve]
                + [("lesson", t) for t in add_lessons],
                actions=add_actions,
            )
            if done_actions:
                ids = [
                    row[0]
                    for row in conn.execute(
                        "SELECT id FROM actions WHERE incident_id = ? ORDER BY id", (incident_id,)
                    )
                ]
                for number in done_actions:
                    if not 1 <= number <= len(ids):
                        raise InputError(
                            f"incident {incident_id} has no action item {number} (it has {len(ids)})"
                        )
                    conn.execute(
                        "UPDATE actions SET status = 'done', done_at = ? WHERE id = ? AND status = 'open'",
                        (now, ids[number - 1]),
                    )
        return self.get(incident_id)

    @_guarded
    def close_incident(self, incident_id: int) -> Incident:
        now = self._clock()
        with self.transaction() as conn:
            self._require(conn, incident_id)
            conn.execute(
                "UPDATE incidents SET status = 'closed', closed_at = COALESCE(closed_at, ?), "
                "updated_at = ? WHERE id = ?",
                (now, now, incident_id),
            )
        return self.get(incident_id)

    @_guarded
    def record_handoff(self, source: str = "") -> str:
        now = self._clock()
        with self.transaction() as conn:
            conn.execute("INSERT INTO handoffs (created_at, source) VALUES (?, ?)", (now, source))
        return now

    # -- reads ---------------------------------------------------------------------------------------------
    def _require(self, conn: sqlite3.Connection, incident_id: int) -> None:
        if conn.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)).fetchone() is None:
            raise InputError(f"no incident {incident_id} in {self.path}")

    @_guarded
    def get(self, incident_id: int) -> Incident:
        found = self._load(("id = ?", (incident_id,)))
        if not found:
            raise InputError(f"no incident {incident_id} in {self.path}")
        return found[0]

    @_guarded
    def incidents(self, status: str | None = None) -> list[Incident]:
        """Oldest first (by incident date, then id): the order of an AAR log."""
        if status in ("open", "closed"):
            return self._load(("status = ?", (status,)))
        return self._load(None)

    def _load(self, where: tuple[str, tuple[Any, ...]] | None) -> list[Incident]:
        # A read transaction so an incident and its children come from one consistent snapshot of the WAL.
        self._conn.execute("BEGIN")
        try:
            clause, params = where or ("1 = 1", ())
            rows = self._conn.execute(
                "SELECT id, title, date, severity, status, what_happened, direct_cause, root_causes, snapshot_ref,"
                f" created_at, updated_at, closed_at FROM incidents WHERE {clause} ORDER BY date, id",
                params,
            ).fetchall()
            ids = [row[0] for row in rows]
            timeline: dict[int, list[TimelineEntry]] = {i: [] for i in ids}
            notes: dict[int, dict[str, list[str]]] = {i: {} for i in ids}
            actions: dict[int, list[ActionItem]] = {i: [] for i in ids}
            if ids:
                marks = ", ".join("?" for _ in ids)
                for incident_id, time, text in self._conn.execute(
                    f"SELECT incident_id, time, text FROM timeline WHERE incident_id IN ({marks}) ORDER BY id",
                    ids,
                ):
                    timeline[incident_id].append(TimelineEntry(time, text))
                for incident_id, kind, text in self._conn.execute(
                    f"SELECT incident_id, kind, text FROM notes WHERE incident_id IN ({marks}) ORDER BY id",
                    ids,
                ):
                    notes[incident_id].setdefault(kind, []).append(text)
                for incident_id, text, owner, priority, status in self._conn.execute(
                    f"SELECT incident_id, text, owner, priority, status FROM actions WHERE incident_id IN ({marks})"
                    " ORDER BY id",
                    ids,
                ):
                    actions[incident_id].append(ActionItem(text, owner, priority, status))
        finally:
            self._conn.execute("COMMIT")
        # what comes out is printed: terminal escapes and control characters never leave the store
        c = _clean
        return [
            Incident(
                id=row[0],
                title=c(row[1]),
                date=c(row[2]),
                severity=row[3],
                status=row[4],
                what_happened=c(row[5]),
                direct_cause=c(row[6]),
                timeline=tuple(TimelineEntry(c(e.time), c(e.text)) for e in timeline[row[0]]),
                contributing_factors=tuple(c(t) for t in notes[row[0]].get("contributing", [])),
                went_well=tuple(c(t) for t in notes[row[0]].get("well", [])),
                could_improve=tuple(c(t) for t in notes[row[0]].get("improve", [])),
                action_items=tuple(
                    ActionItem(c(a.text), c(a.owner), a.priority, a.status) for a in actions[row[0]]
                ),
                lessons=tuple(c(t) for t in notes[row[0]].get("lesson", [])),
                root_causes=tuple(_json_value(row[7], []) or []),
                snapshot_ref=_json_value(row[8], None) if row[8] else None,
                created_at=row[9],
                updated_at=row[10],
                closed_at=row[11],
            )
            for row in rows
        ]

    @_guarded
    def handoffs(self) -> list[tuple[str, str]]:
        """(time, source) of every recorded handoff, oldest first."""
        return [
            (str(t), str(s))
            for t, s in self._conn.execute("SELECT created_at, source FROM handoffs ORDER BY id")
        ]

    @_guarded
    def last_handoff(self) -> str | None:
        row = self._conn.execute("SELECT created_at FROM handoffs ORDER BY id DESC LIMIT 1").fetchone()
        return str(row[0]) if row else None

    @_guarded
    def actions(
        self, *, status: str | None = "open", priorities: Sequence[Priority] = ("P0", "P1", "P2", "P3")
    ) -> list[ActionRef]:
        """Action items across incidents, most urgent first (priority, then age)."""
        refs = self._action_refs()
        return sorted(
            (
                r
                for r in refs
                if (status is None or r.item.status == status) and r.item.priority in priorities
            ),
            key=lambda r: (r.item.priority, r.created_at, r.incident_id, r.number),
        )

    def _action_refs(self) -> list[ActionRef]:
        rows = self._conn.execute(
            "SELECT a.incident_id, i.title, a.text, a.owner, a.priority, a.status, a.created_at, a.done_at"
            " FROM actions a JOIN incidents i ON i.id = a.incident_id ORDER BY a.incident_id, a.id"
        ).fetchall()
        refs: list[ActionRef] = []
        counter: dict[int, int] = {}
        for incident_id, title, text, owner, priority, status, created_at, done_at in rows:
            counter[incident_id] = counter.get(incident_id, 0) + 1
            refs.append(
                ActionRef(
                    incident_id,
                    title,
                    counter[incident_id],
                    ActionItem(text, owner, priority, status),
                    created_at,
                    done_at,
                )
            )
        return refs

    @_guarded
    def changes_since(self, since: str | None) -> Changes:
        """Everything written after ``since`` (an RFC 3339 UTC time as stored); all of it when None."""
        mark = since or ""
        incidents = {i.id: i for i in self.incidents()}
        opened = tuple(i for i in incidents.values() if i.created_at > mark)
        opened_ids = {i.id for i in opened}
        closed = tuple(i for i in incidents.values() if i.closed_at and i.closed_at > mark)
        timeline: list[tuple[Incident, TimelineEntry]] = []
        for incident_id, time, text in self._conn.execute(
            "SELECT incident_id, time, text FROM timeline WHERE created_at > ? ORDER BY id", (mark,)
        ):
            incident = incidents[incident_id]
            if incident_id not in opened_ids:  # a new incident's own timeline is part of "opened"
                timeline.append((incident, TimelineEntry(time, text)))
        refs = self._action_refs()
        added = tuple(r for r in refs if r.created_at > mark and r.incident_id not in opened_ids)
        done = tuple(r for r in refs if r.done_at and r.done_at > mark and r.incident_id not in opened_ids)
        return Changes(since, opened, closed, tuple(timeline), added, done)
