"""A homelabctl process leaves without freeing the snapshot object by object (``cli.run``): the output, the
exit code and every exit handler stay what a normal exit gives; in-process callers are never cut short."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import homelabctl.cli as cli_module
from homelabctl.cli import main


def _process(*args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    code = f"import sys\n{prelude}\nfrom homelabctl.cli import run\nsys.argv[1:] = {list(args)!r}\nrun()\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_the_whole_report_is_written_and_the_exit_code_kept() -> None:
    failing = _process("check", "--demo", "-o", "json")
    assert failing.returncode == 1, failing.stderr
    assert json.loads(failing.stdout)["summary"]["critical"] > 0
    passing = _process("check", "--demo", "-o", "json", "--fail-on", "none")
    assert passing.returncode == 0, passing.stderr
    assert passing.stdout == failing.stdout.replace(
        json.loads(failing.stdout)["generated_at"], json.loads(passing.stdout)["generated_at"]
    )
    bad = _process("check", "--snapshot", "/nonexistent/x.json")
    assert bad.returncode == 2 and "homelabctl: error:" in bad.stderr


def test_a_file_written_with_output_file_is_complete(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = _process("diagnose", "--demo", "-o", "json", "--output-file", str(out))
    assert proc.returncode == 1, proc.stderr
    assert json.loads(out.read_text())["root_causes"]


def test_exit_handlers_still_run() -> None:
    # a registered handler means the interpreter's exit has work to do: the process exits normally
    proc = _process(
        "check", "--demo", "-o", "json", prelude="import atexit\natexit.register(print, 'handler ran')"
    )
    assert proc.returncode == 1
    assert proc.stdout.rstrip().endswith("handler ran")


def test_main_called_in_process_returns_and_keeps_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        main(["check", "--demo", "-o", "json", "--fail-on", "none"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    assert cli_module._left_to_exit == []
    assert json.loads(capsys.readouterr().out)["findings"]


REPO = Path(__file__).resolve().parent.parent / "repos" / "broken-graph"
LEFT = "import os, sys\nreal_exit = os._exit\nos._exit = lambda code: (print('left', code, file=sys.stderr), real_exit(code))\n"


def _findings(proc: subprocess.CompletedProcess[str]) -> list[object]:
    return list(json.loads(proc.stdout)["findings"])


def test_a_scan_leaves_early_by_the_same_rules(tmp_path: Path) -> None:
    """scan leaves through cli.run's rules, not on its own: an exit handler registered (one that writes a file)
    or a log file to close means a normal exit; logging that only writes to stderr (as detect-secrets sets it
    up) does not hold the process back. Output and exit code are the same either way."""
    marker, log = tmp_path / "handler-ran", tmp_path / "scan.log"
    args = ("scan", str(REPO), "--no-render", "-o", "json")
    early = _process(*args, prelude=LEFT + "import logging\nlogging.basicConfig()")
    assert (early.returncode, early.stderr) == (1, "left 1\n")
    handler = f"import atexit, pathlib\natexit.register(pathlib.Path({str(marker)!r}).write_text, 'ran')\n"
    normal = _process(*args, prelude=LEFT + handler)
    assert (normal.returncode, normal.stderr, marker.read_text()) == (1, "", "ran")
    logged = _process(*args, prelude=LEFT + f"import logging\nlogging.basicConfig(filename={str(log)!r})")
    assert (logged.returncode, logged.stderr) == (1, "")
    assert _findings(early) == _findings(normal) == _findings(logged) != []
