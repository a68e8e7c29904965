"""The hostile-input suite: every class of bad input the CLI can meet, run as a child process with a memory
limit (RLIMIT_AS) and a time limit. A clean outcome is exit 0/1 with a report, or exit 2 with one error
line; never "internal error", never a traceback, never the limits."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

MEMORY_LIMIT = 1536 * 1024 * 1024
TIME_LIMIT = 30.0
DEMO = Path(__file__).resolve().parents[2] / "src" / "homelabctl" / "demo" / "snapshot"


@dataclass
class Outcome:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    elapsed: float

    @property
    def report(self) -> dict[str, object]:
        data: dict[str, object] = json.loads(self.stdout)
        return data


def limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_limited(*args: str, env: dict[str, str] | None = None, timeout: float = TIME_LIMIT) -> Outcome:
    """``homelabctl ARGS`` under the limits. Exceeding the time limit fails the test (the child is killed)."""
    child_env = {**os.environ, "MALLOC_ARENA_MAX": "2", "COLUMNS": "200", **(env or {})}
    child_env.pop("HOMELABCTL_DEBUG", None)
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "homelabctl", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=child_env,
            preexec_fn=limits,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"homelabctl {' '.join(args)} ran past {timeout:g}s")
    return Outcome(list(args), done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def assert_clean(outcome: Outcome) -> Outcome:
    """0/1 with a report on stdout, or 2 with exactly one error line; nothing else on stderr but warnings."""
    where = f"homelabctl {' '.join(outcome.args)} (exit {outcome.returncode})"
    assert "Traceback" not in outcome.stderr, f"{where}: traceback\n{outcome.stderr[-2000:]}"
    assert "internal error" not in outcome.stderr, f"{where}: {outcome.stderr[-500:]}"
    assert "MemoryError" not in outcome.stderr, where
    for line in outcome.stderr.splitlines():
        assert line.startswith(("homelabctl: warning: ", "homelabctl: error: ")) or not line.strip(), (
            f"{where}: unexpected stderr line {line[:200]!r}"
        )
    errors = [line for line in outcome.stderr.splitlines() if line.startswith("homelabctl: error: ")]
    if outcome.returncode in (0, 1):
        assert outcome.stdout.strip(), f"{where}: no report"
        assert not errors, where
    else:
        assert outcome.returncode == 2, f"{where}: {outcome.stderr[-500:]}"
        assert len(errors) == 1, f"{where}: {outcome.stderr[-500:]}"
    return outcome
