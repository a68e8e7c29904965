"""The history: episodes open, stay, resolve and reopen; durations; migrations; dedup across restarts."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from homelabctl.errors import StoreError
from homelabctl.incidents.store import IncidentStore
from homelabctl.watch.history import SCHEMA_VERSION, History, human_duration

T0 = datetime(2025, 6, 12, 22, 20, tzinfo=UTC)


def report(*names: str) -> dict[str, Any]:
    findings = [
        {
            "id": f"F{i}",
            "check": "node-not-ready",
            "layer": "node",
            "severity": "critical",
            "object": {"kind": "Node", "namespace": None, "name": name},
            "message": f"Node {name} is Unknown",
        }
        for i, name in enumerate(names, start=1)
    ]
    causes = [
        {
            "id": f"R{i}",
            "finding": f"F{i}",
            "rule": "node-down",
            "layer": "node",
            "object": {"kind": "Node", "namespace": None, "name": name},
            "summary": f"Node {name} is down",
            "next_steps": [{"text": "check the kubelet", "command": f"ssh {name}", "dangerous": False}],
        }
        for i, name in enumerate(names, start=1)
    ]
    return {"findings": findings, "root_causes": causes}


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (59, "59 s"),
        (60, "1 min"),
        (3599, "59 min"),
        (3600, "1 h"),
        (3 * 3600 + 120, "3 h 2 min"),
        (86400, "1 d"),
        (3 * 86400 + 4 * 3600 + 2700, "3 d 4 h"),
        (-5, "0 s"),
    ],
)
def test_human_duration(seconds: int, text: str) -> None:
    assert human_duration(timedelta(seconds=seconds)) == text


def test_episodes_open_stay_resolve_and_reopen(tmp_path: Path) -> None:
    with_history = History(tmp_path / "h.db")
    started = {"node-down|Node||styx": T0 - timedelta(minutes=6)}
    first = with_history.record(report("styx"), T0, started)
    assert [c.name for c in first.new] == ["styx"] and first.findings_new == 1
    assert (
        first.new[0].started_at == "2025-06-12T22:14:00Z"
        and first.new[0].next_step == "check the kubelet: ssh styx"
    )
    same = with_history.record(report("styx"), T0 + timedelta(days=3, hours=4))
    assert same.new == [] and same.resolved == [] and len(same.active) == 1
    assert same.active[0].lasted(T0 + timedelta(days=3, hours=4)) == "3 d 4 h"
    gone = with_history.record(report(), T0 + timedelta(days=3, hours=5))
    assert [c.name for c in gone.resolved] == ["styx"] and gone.findings_resolved == 1
    assert gone.resolved[0].resolved_at == "2025-06-16T03:20:00Z"
    back = with_history.record(report("styx"), T0 + timedelta(days=4))
    assert len(back.new) == 1 and back.new[0].id != first.new[0].id  # a new episode
    assert [c.resolved_at is None for c in with_history.causes()] == [True, False]


def test_announcements_are_deduplicated_across_restarts(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    cause = history.record(report("styx"), T0).new[0]
    assert history.mark_notified(cause.id, "new")
    history.close()
    again = History(tmp_path / "h.db")
    assert not again.mark_notified(cause.id, "new")
    assert again.mark_notified(cause.id, "resolved")


def test_shares_the_incident_database_without_touching_its_version(tmp_path: Path) -> None:
    db = tmp_path / "homelabctl.db"
    with IncidentStore(db) as incidents:
        version = incidents.schema_version
    history = History(db)
    assert history.schema_version == SCHEMA_VERSION
    history.close()
    with IncidentStore(db) as incidents:
        assert incidents.schema_version == version and incidents.integrity_check() == "ok"
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_schema_and_garbage_are_refused_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    History(db).close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE watch_meta SET version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this homelabctl"):
        History(db)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a usable database"):
        History(junk)


def test_old_resolved_episodes_are_pruned(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    history.record(report("styx", "k3s1"), T0)
    history.record(report("k3s1"), T0 + timedelta(hours=1))  # styx resolved
    assert history.prune(T0) == 0
    assert history.prune(T0 + timedelta(days=1)) == 2  # its finding and cause episodes
    assert [c.name for c in history.causes()] == ["k3s1"]  # the open one stays, however old
