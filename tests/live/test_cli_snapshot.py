"""The commands as a person runs them: `snapshot serve`, `snapshot capture`, `check` on the live path."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import DATA, Served

HOMELABCTL = [sys.executable, "-m", "homelabctl"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HOMELABCTL, *args], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )


@pytest.fixture
def serve_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, Path]]:
    """`homelabctl snapshot serve` in its own process; yields (process, kubeconfig text, kubeconfig path)."""
    process = subprocess.Popen(
        [*HOMELABCTL, "snapshot", "serve", str(DATA), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    while not lines or lines[-1].strip() != "preferences: {}":
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else "serve exited"
        lines.append(line)
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("".join(lines))
    try:
        yield process, "".join(lines), kubeconfig
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def server_of(kubeconfig_text: str) -> str:
    return next(
        line.split("server: ", 1)[1].strip() for line in kubeconfig_text.splitlines() if "server: " in line
    )


def test_serve_prints_a_kubeconfig_and_stops_cleanly_on_ctrl_c(
    serve_process: tuple[subprocess.Popen[str], str, Path],
) -> None:
    process, text, _ = serve_process
    url = server_of(text)
    assert url.startswith("http://127.0.0.1:")
    assert "current-context: homelabctl-snapshot" in text
    with urllib.request.urlopen(url + "/api/v1/namespaces/media/pods", timeout=10) as response:
        assert len(json.load(response)["items"]) == 5
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    stderr = process.stderr.read() if process.stderr else ""
    assert "100 objects" in stderr and "read-only at " + url in stderr
    assert stderr.rstrip().endswith("stopped")
    assert "Traceback" not in stderr


def test_serve_stops_on_sigterm(serve_process: tuple[subprocess.Popen[str], str, Path]) -> None:
    process, _, _ = serve_process
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_capture_then_check_gives_the_live_findings(
    serve_process: tuple[subprocess.Popen[str], str, Path], tmp_path: Path
) -> None:
    _, _, kubeconfig = serve_process
    out = tmp_path / "snap.tar.gz"
    captured = run("snapshot", "capture", "-o", str(out), "--kubeconfig", str(kubeconfig))
    assert captured.returncode == 0, captured.stderr
    assert "Captured 100 objects of " in captured.stderr
    assert "not installed: " in captured.stderr
    live = run("check", "--kubeconfig", str(kubeconfig), "-o", "json")
    offline = run("check", "--snapshot", str(out), "-o", "json")
    original = run("check", "--snapshot", str(DATA), "-o", "json")
    assert live.returncode == offline.returncode == original.returncode == 1  # critical findings in there
    reports = [json.loads(r.stdout) for r in (live, offline, original)]
    assert reports[0]["source"]["type"] == "live"
    keys = [
        {
            (f["check"], f["object"]["kind"], f["object"]["namespace"], f["object"]["name"], f["message"])
            for f in report["findings"]
        }
        for report in reports
    ]
    assert keys[0]
    assert keys[0] == keys[1] == keys[2]
    assert "Reading" not in live.stderr  # no progress bar when stderr is not a terminal


def test_check_against_an_unreachable_api_exits_2_with_one_line(tmp_path: Path) -> None:
    from homelabctl.live.server import kubeconfig_for

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(kubeconfig_for(f"http://127.0.0.1:{port}"))
    started = time.monotonic()
    result = run("check", "--kubeconfig", str(kubeconfig), "--request-timeout", "2")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"homelabctl: error: cannot reach the Kubernetes API at http://127.0.0.1:{port}: connection refused"
    )
    assert time.monotonic() - started < 20


def test_check_with_a_forbidden_kind_reports_it_not_evaluated(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            *HOMELABCTL,
            "snapshot",
            "serve",
            str(DATA),
            "--port",
            "0",
            "--forbid",
            "Pod",
            "--kubeconfig-out",
            str(tmp_path / "kc"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "kc").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        result = run("check", "--kubeconfig", str(tmp_path / "kc"), "-o", "json")
    finally:
        process.terminate()
        process.wait(timeout=10)
    report = json.loads(result.stdout)
    not_evaluated = {item["check"]: item["reason"] for item in report["not_evaluated"]}
    assert "forbidden: cannot list pods" in not_evaluated["pod-crashloop"]
    checks_that_fired = {f["check"] for f in report["findings"]}
    assert "pod-crashloop" not in checks_that_fired and "pod-stuck-terminating" not in checks_that_fired
    assert "node-not-ready" in checks_that_fired  # the rest of the run went on


def test_serve_rejects_bad_options(tmp_path: Path) -> None:
    bad_fault = run("snapshot", "serve", str(DATA), "--port", "0", "--fault", "explode")
    assert bad_fault.returncode == 2
    assert "--fault explode: expected drop or stall" in bad_fault.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = run("snapshot", "serve", str(DATA), "--port", str(port))
    assert taken.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in taken.stderr and "--port N" in taken.stderr


def test_capture_of_an_unreachable_cluster_fails_before_writing(tmp_path: Path, served: Served) -> None:
    text = served.kubeconfig.read_text().replace(served.url, "http://127.0.0.1:9")
    (tmp_path / "kc").write_text(text)
    result = run("snapshot", "capture", "-o", str(tmp_path / "out"), "--kubeconfig", str(tmp_path / "kc"))
    assert result.returncode == 2
    assert "cannot reach the Kubernetes API at http://127.0.0.1:9" in result.stderr
    assert not (tmp_path / "out").exists()


def test_serve_demo(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [*HOMELABCTL, "snapshot", "serve", "--demo", "--port", "0", "--kubeconfig-out", str(tmp_path / "kc")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "kc").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        url = server_of((tmp_path / "kc").read_text())
        with urllib.request.urlopen(url + "/api/v1/nodes", timeout=10) as response:
            assert json.load(response)["items"]
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    stderr = process.stderr.read() if process.stderr else ""
    assert "Serving homelabctl demo cluster" in stderr and "Traceback" not in stderr
    neither = run("snapshot", "serve", "--port", "0")
    assert neither.returncode == 2 and "give snapshot PATHS or --demo" in neither.stderr
