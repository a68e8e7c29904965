"""No internal project wording reaches a user: every command's output on the demo, and every --help."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from test_options import leaf_commands
from test_vocabulary import run

INTERNAL = re.compile(
    r"\bseeds?\b|the seed's|AAR format of the seed|operations log of|ops log", re.IGNORECASE
)
REPOS = Path(__file__).resolve().parents[1] / "repos"


def _clean(text: str, *allowed: str) -> list[str]:
    for path in allowed:
        text = text.replace(path, "<path>")
    return [line for line in text.splitlines() if INTERNAL.search(line)]


@pytest.mark.parametrize("command", sorted(leaf_commands()))
def test_help_has_no_internal_wording(command: str) -> None:
    result = run(*command.split(), "--help")
    assert result.exit_code == 0, result.output
    assert not _clean(result.output), command


def test_every_command_on_the_demo_has_no_internal_wording(tmp_path: Path) -> None:
    db = str(tmp_path / "i.db")
    repo = tmp_path / "homelab-repo"
    shutil.copytree(REPOS / "seed-homelab", repo)
    runs: list[tuple[str, ...]] = [
        ("check", "--demo"),
        ("check", "--demo", "-o", "json"),
        ("check", "--demo", "-o", "markdown"),
        ("check", "--demo", "-o", "prometheus"),
        ("check", "--demo", "-v"),
        ("diagnose", "--demo"),
        ("diagnose", "--demo", "--verbose"),
        ("diagnose", "--demo", "-o", "markdown"),
        ("diagnose", "--demo", "-o", "json"),
        ("rules",),
        ("rules", "-o", "json"),
        ("rules", "-o", "markdown"),
        ("docs", "--demo"),
        ("handoff", "--demo", "--db", db),
        ("whatif", "r730", "--demo"),
        ("whatif", "r730", "--demo", "-o", "markdown"),
        ("inventory", "check", "--demo"),
        ("inventory", "init", "--demo"),
        ("inventory", "schema"),
        ("incident", "new", "--title", "k3s1 network", "--from-check", "--demo", "--db", db),
        ("incident", "list", "--db", db),
        ("incident", "show", "1", "--db", db),
        ("incident", "update", "1", "--add-timeline", "14:05 cordoned", "--db", db),
        ("incident", "export", "--db", db),
        ("incident", "close", "1", "--db", db),
        ("scan", str(repo)),
        ("scan", str(repo), "-o", "json"),
        ("scan", str(repo), "-o", "markdown"),
        ("scan", str(repo), "-o", "sarif"),
        ("completion", "bash"),
    ]
    leaks = {}
    for args in runs:
        result = run(*args)
        assert result.exit_code in (0, 1), (args, result.output[-500:])
        found = _clean(result.output, str(tmp_path))
        if found:
            leaks[" ".join(args)] = found[:3]
    assert not leaks, leaks
