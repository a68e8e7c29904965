"""The incident store against damaged files, escape sequences and other users: a clear error and no
writes on a corrupt file, nothing invisible printed, files only its owner can read."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from homelabctl.errors import StoreError
from homelabctl.incidents.model import IncidentDraft, parse_timeline
from homelabctl.incidents.sanitize import clean_text
from homelabctl.incidents.store import IncidentStore


def _draft(title: str, **kw: object) -> IncidentDraft:
    return IncidentDraft(title=title, severity="P1", date="2025-06-14", **kw)  # type: ignore[arg-type]


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "homelabctl", "incident", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOMELABCTL_DB": str(db)},
    )


def _corrupt(db: Path) -> bytes:
    with IncidentStore(db) as store:
        for i in range(60):
            store.create(_draft(f"incident {i} " + "x" * 800, what_happened="y" * 3000))
    # checkpoint the WAL into the main file, then scribble over pages in the middle of it
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    page = 4096
    for offset in range(page * 3, min(len(data), page * 12), page):
        data[offset : offset + 200] = os.urandom(200)
    db.write_bytes(bytes(data))
    return bytes(data)


def test_a_corrupt_database_is_a_clear_error_and_is_not_written(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    damaged = _corrupt(db)
    with pytest.raises(StoreError, match=r"is damaged .*nothing was written"):
        IncidentStore(db)
    for args in (["list"], ["show", "1"], ["new", "--title", "after the damage"]):
        result = _cli(db, *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith("homelabctl: error: ") and "damaged" in line, line
        assert "internal error" not in line and "Traceback" not in result.stderr
    assert db.read_bytes() == damaged


def test_not_a_database_at_all(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    db.write_bytes(b"this is not SQLite\n" * 100)
    result = _cli(db, "list")
    assert result.returncode == 2 and "not a usable incident database" in result.stderr
    assert db.read_bytes() == b"this is not SQLite\n" * 100


def test_escape_sequences_never_reach_the_terminal(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    nasty = "Disk\x1b[2J\x1b]52;c;ZXZpbA==\x07 full\x07\x08\u202e\x9b31m"
    with IncidentStore(db) as store:
        store.create(
            _draft(
                nasty,
                what_happened="line one\n\tline two\x1b[31m red",
                timeline=[parse_timeline(f"09:40 {nasty}")],
            )
        )
    for args in (["list"], ["show", "1"], ["list", "-o", "json"], ["show", "1", "-o", "json"]):
        result = _cli(db, *args)
        assert result.returncode == 0, result.stderr
        for bad in ("\x1b", "\x07", "\x08", "\u202e", "\x9b"):
            assert bad not in result.stdout, (args, bad)
        assert "Disk" in result.stdout
    shown = _cli(db, "show", "1").stdout
    assert "line one\n\tline two red" in shown  # newlines and tabs are text


def test_clean_text_keeps_text() -> None:
    assert clean_text("Ünïcødé — fine\n\tindented") == "Ünïcødé — fine\n\tindented"
    assert clean_text("a\x1b[1;31mb\x1b[0mc") == "abc"
    assert clean_text("title\x1b]0;owned\x07 rest") == "title rest"


def test_files_are_private(tmp_path: Path) -> None:
    db = tmp_path / "new" / "dir" / "incidents.db"
    with IncidentStore(db) as store:
        store.create(_draft("first"))
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    for sidecar in db.parent.glob("incidents.db-*"):
        assert stat.S_IMODE(sidecar.stat().st_mode) & 0o077 == 0, sidecar
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    loose = tmp_path / "loose.db"
    loose.touch(mode=0o644)
    os.chmod(loose, 0o644)
    IncidentStore(loose).close()
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600
