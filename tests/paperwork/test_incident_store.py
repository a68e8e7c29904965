"""The incident store: real SQLite files, real processes writing at once, real SIGKILLs."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from homelabctl.errors import InputError, StoreError
from homelabctl.incidents.model import ActionItem, IncidentDraft, TimelineEntry, parse_timeline
from homelabctl.incidents.store import MIGRATIONS, SCHEMA_VERSION, IncidentStore, resolve_db_path


def _draft(title: str = "k3s1 Networking Failure", **kw: object) -> IncidentDraft:
    return IncidentDraft(title=title, severity="P1", date="2025-06-14", **kw)  # type: ignore[arg-type]


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_create_then_read_back_every_field(tmp_path: Path) -> None:
    with IncidentStore(tmp_path / "i.db") as store:
        created = store.create(
            _draft(
                what_happened="Node k3s1 lost connectivity to cluster services.",
                timeline=[
                    parse_timeline("09:40 Longhorn pods in CrashLoopBackOff"),
                    parse_timeline("Detection: canary"),
                ],
                direct_cause="Network service failure on k3s1",
                contributing_factors=["No node network monitoring"],
                went_well=["Node isolation"],
                could_improve=["Started at the CSI layer"],
                action_items=[ActionItem("Investigate k3s1 logs", "AI Team", "P1")],
                lessons=["Check L3/L4 first"],
            )
        )
        again = store.get(created.id)
    assert again == created
    assert again.timeline == (
        TimelineEntry("09:40", "Longhorn pods in CrashLoopBackOff"),
        TimelineEntry("", "Detection: canary"),
    )
    assert again.action_items[0].owner == "AI Team" and again.action_items[0].status == "open"
    assert again.status == "open" and again.created_at.endswith("Z")


def test_update_appends_marks_done_and_close(tmp_path: Path) -> None:
    with IncidentStore(tmp_path / "i.db") as store:
        incident = store.create(_draft(action_items=[ActionItem("Add monitoring", "", "P2")]))
        store.update(
            incident.id,
            add_timeline=[TimelineEntry("10:00", "Cordoned k3s1")],
            add_lessons=["Lesson A"],
            add_actions=[ActionItem("Write ADR", "AI Team", "P1")],
            done_actions=[1],
            severity="P0",
        )
        closed = store.close_incident(incident.id)
    assert [a.status for a in closed.action_items] == ["done", "open"]
    assert closed.severity == "P0" and closed.status == "closed" and closed.closed_at
    assert closed.lessons == ("Lesson A",) and closed.timeline[-1].text == "Cordoned k3s1"


def test_bad_input_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    with IncidentStore(tmp_path / "i.db") as store:
        incident = store.create(_draft())
        with pytest.raises(InputError, match="no action item 3"):
            store.update(incident.id, add_timeline=[TimelineEntry("", "must not be kept")], done_actions=[3])
        with pytest.raises(InputError, match="no incident 42"):
            store.update(42, title="x")
        with pytest.raises(InputError, match="severity"):
            store.create(IncidentDraft(title="x", severity="P7"))  # type: ignore[arg-type]
        assert store.get(incident.id).timeline == ()  # the failed update rolled back as a whole


def test_wal_mode_and_schema_version(tmp_path: Path) -> None:
    with IncidentStore(tmp_path / "i.db") as store:
        assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
    conn = sqlite3.connect(tmp_path / "i.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrates_a_version_1_database_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO incidents (title, date, severity, created_at, updated_at) "
        "VALUES ('Gateway HTTPS/TLS Resolution', '2025-06-14', 'P2', '2025-06-14T10:00:00Z', '2025-06-14T10:00:00Z')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with IncidentStore(path) as store:
        assert store.schema_version == 2
        assert [i.title for i in store.incidents()] == ["Gateway HTTPS/TLS Resolution"]
        assert store.last_handoff() is None
        store.record_handoff("demo")
        assert store.last_handoff() is not None


def test_refuses_newer_schema_and_non_database_files(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this homelabctl"):
        IncidentStore(newer)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable incident database"):
        IncidentStore(junk)


def test_db_path_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOMELABCTL_DB", str(tmp_path / "env.db"))
    assert resolve_db_path(tmp_path / "flag.db") == tmp_path / "flag.db"
    assert resolve_db_path(None) == tmp_path / "env.db"
    monkeypatch.delenv("HOMELABCTL_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_db_path(None) == tmp_path / "xdg" / "homelabctl" / "incidents.db"


def test_changes_since_last_handoff(tmp_path: Path) -> None:
    with IncidentStore(tmp_path / "i.db") as store:
        first = store.create(
            _draft("Longhorn CSI Complete Failure", action_items=[ActionItem("Configure Velero", "", "P0")])
        )
        mark = store.record_handoff("demo")
        second = store.create(_draft("OAuth2-Proxy Deployment"))
        store.update(
            first.id, add_timeline=[TimelineEntry("22:00", "Velero schedules applied")], done_actions=[1]
        )
        changes = store.changes_since(mark)
    assert [i.title for i in changes.opened] == ["OAuth2-Proxy Deployment"] and second.id != first.id
    assert [(i.id, e.text) for i, e in changes.timeline] == [(first.id, "Velero schedules applied")]
    assert [a.item.text for a in changes.actions_done] == ["Configure Velero"]
    assert not changes.closed


WRITER = """
import sys, time
from pathlib import Path
from homelabctl.incidents.store import IncidentStore
from homelabctl.incidents.model import TimelineEntry
path, tag, count, incident_id, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5])
store = IncidentStore(path)
while not go.exists():
    time.sleep(0.005)
started = time.monotonic()
for i in range(count):
    store.update(incident_id, add_timeline=[TimelineEntry(f"{i:04d}", f"{tag}-{i}")])
print(started, time.monotonic())
"""


def test_two_writer_processes_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    with IncidentStore(db) as store:
        incident_id = store.create(_draft()).id
    go = tmp_path / "go"
    count = 300
    writers = [_python(WRITER, str(db), tag, str(count), str(incident_id), str(go)) for tag in ("a", "b")]
    time.sleep(0.5)  # both are connected and waiting on the start line
    go.touch()
    spans = []
    for proc in writers:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        spans.append(tuple(float(x) for x in out.split()))
    with IncidentStore(db) as store:
        texts = [e.text for e in store.get(incident_id).timeline]
        assert store.integrity_check() == "ok"
    assert len(texts) == 2 * count
    for tag in ("a", "b"):
        mine = [t for t in texts if t.startswith(f"{tag}-")]
        assert mine == [f"{tag}-{i}" for i in range(count)]  # every entry, in the order it was written
    # The two writers really wrote at the same time (otherwise this test would prove nothing): their
    # write periods overlap. How finely they interleave is up to SQLite's busy handler and the scheduler.
    assert max(start for start, _ in spans) < min(end for _, end in spans)


@pytest.mark.slow
def test_two_cli_processes_appending_timeline_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    with IncidentStore(db) as store:
        incident_id = store.create(_draft()).id
    count = 12
    loop = (
        "for i in $(seq 1 {n}); do {py} -m homelabctl incident update {id} --db {db} "
        '--add-timeline "00:$(printf %02d $i) {tag}-$i" >/dev/null || exit 1; done'
    )
    procs = [
        subprocess.Popen(
            ["bash", "-c", loop.format(n=count, py=sys.executable, id=incident_id, db=db, tag=tag)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("x", "y")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with IncidentStore(db) as store:
        timeline = store.get(incident_id).timeline
    for tag in ("x", "y"):
        assert [e.text for e in timeline if e.text.startswith(tag)] == [
            f"{tag}-{i}" for i in range(1, count + 1)
        ]
        assert [e.time for e in timeline if e.text.startswith(tag)] == [
            f"00:{i:02d}" for i in range(1, count + 1)
        ]


KILLED_MID_TRANSACTION = """
import sys, time
from homelabctl.incidents.store import IncidentStore
from homelabctl.incidents.model import IncidentDraft, TimelineEntry
store = IncidentStore(sys.argv[1])
original = IncidentStore._insert_children
def insert_then_hang(self, conn, incident_id, now, **kw):
    original(self, conn, incident_id, now, **kw)
    print("inside", flush=True)  # every row written, COMMIT not reached
    time.sleep(120)
IncidentStore._insert_children = insert_then_hang
# ~12 MB of rows: more than SQLite's page cache, so uncommitted pages are already in the WAL file.
store.create(IncidentDraft(title="partial", timeline=[TimelineEntry("00:00", "x" * 4000)] * 3000))
"""


def test_writer_killed_mid_transaction_leaves_no_partial_incident(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    with IncidentStore(db) as store:
        kept = store.create(_draft("before the crash")).id
    proc = _python(KILLED_MID_TRANSACTION, str(db))
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "inside"
    wal = Path(f"{db}-wal")
    assert wal.stat().st_size > 4_000_000  # the uncommitted transaction really reached the disk
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    with IncidentStore(db, timeout=5) as store:
        assert store.integrity_check() == "ok"
        assert [i.title for i in store.incidents()] == ["before the crash"]
        raw = sqlite3.connect(db)
        assert raw.execute("SELECT count(*) FROM timeline").fetchone()[0] == 0
        raw.close()
        store.update(kept, add_timeline=[TimelineEntry("", "the store still takes writes")])  # lock released
        assert store.get(kept).timeline[-1].text == "the store still takes writes"


CREATE_LOOP = """
import sys
from homelabctl.incidents.store import IncidentStore
from homelabctl.incidents.model import ActionItem, IncidentDraft, TimelineEntry
store = IncidentStore(sys.argv[1])
print("ready", flush=True)
n = 0
while True:
    n += 1
    store.create(IncidentDraft(title=f"incident {sys.argv[2]}-{n}", timeline=[TimelineEntry(f"{i:02d}:00", "t" * 500) for i in range(20)],
                               action_items=[ActionItem(f"action {i}") for i in range(3)], lessons=["l1", "l2"]))
"""


def test_writers_killed_at_random_moments_leave_only_whole_incidents(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    rng = random.Random(7)
    for round_ in range(6):
        proc = _python(CREATE_LOOP, str(db), str(round_))
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    with IncidentStore(db) as store:
        assert store.integrity_check() == "ok"
        incidents = store.incidents()
    assert len(incidents) > 6  # the loops did write before being killed
    for incident in incidents:
        assert (
            len(incident.timeline) == 20
            and len(incident.action_items) == 3
            and incident.lessons == ("l1", "l2")
        )
    raw = sqlite3.connect(db)
    orphans = raw.execute(
        "SELECT count(*) FROM timeline WHERE incident_id NOT IN (SELECT id FROM incidents)"
    ).fetchone()
    assert orphans[0] == 0
