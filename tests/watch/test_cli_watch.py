"""`homelabctl watch` as a process: serves, notifies from $HOMELABCTL_NOTIFY, stops cleanly on SIGTERM; bad
input is one line and exit 2."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from homelabctl.incidents.store import IncidentStore
from homelabctl.live.server import kubeconfig_for
from homelabctl.watch.timeline import TimelineServer

from .conftest import NODE, Receiver, Timeline
from .test_timeline import get, wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def homelabctl(*args: str, env: dict[str, str] | None = None, **kwargs: object) -> subprocess.Popen[str]:
    process: subprocess.Popen[str] = subprocess.Popen(  # type: ignore[call-overload]
        [sys.executable, "-m", "homelabctl", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        **kwargs,
    )
    return process


def test_watch_process_end_to_end(timeline: Timeline, tmp_path: Path, receiver: Receiver) -> None:
    with TimelineServer(timeline.healthy) as server:
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(kubeconfig_for(server.url), encoding="utf-8")
        port = free_port()
        db = tmp_path / "watch.db"
        proc = homelabctl(
            "watch",
            "--kubeconfig",
            str(kubeconfig),
            "--listen",
            f"127.0.0.1:{port}",
            "--db",
            str(db),
            "--debounce",
            "0.1",
            "-o",
            "prometheus",
            "--output-file",
            str(tmp_path / "homelabctl.prom"),
            env={"HOMELABCTL_NOTIFY": f"{receiver.url}/a ntfy+{receiver.url}/b"},
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until(
                lambda: get(url + "/readyz")[0] == 200 if proc.poll() is None else True,
                timeout=60,
                what="readyz",
            )
            assert proc.poll() is None, proc.communicate()
            server.advance(timeline.node_down)
            assert receiver.wait_for(2, timeout=30)
            assert {p for p, _, _ in receiver.requests} == {"/a", "/b"}
            report = json.loads(get(url + "/api/report")[1])
            assert report["root_causes"][0]["object"]["name"] == NODE
            # --output-file: the same report for node-exporter's textfile collector, rewritten atomically
            textfile = tmp_path / "homelabctl.prom"
            wait_until(
                lambda: (
                    textfile.is_file()
                    and "homelabctl_root_causes 1.0" in textfile.read_text(encoding="utf-8")
                ),
                what="textfile report",
            )
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "serving http://127.0.0.1:" in err and f"{receiver.url}/a" not in err  # URLs never printed
    incidents = subprocess.run(
        [sys.executable, "-m", "homelabctl", "incident", "list", "--db", str(db), "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert NODE in incidents.stdout, incidents.stderr


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(kubeconfig_for(f"http://127.0.0.1:{free_port()}"), encoding="utf-8")
    for args, expected in [
        (["--listen", "nonsense"], "--listen nonsense: expected HOST:PORT"),
        (["--notify", "ftp://x"], "expected an http(s) URL"),
        (["--listen", f"127.0.0.1:{free_port()}"], "cannot reach the Kubernetes API"),
    ]:
        proc = homelabctl("watch", "--kubeconfig", str(kubeconfig), "--db", str(tmp_path / "w.db"), *args)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 2, err
        assert expected in err and len(err.strip().splitlines()) == 1, err


def test_watch_a_snapshot_serves_its_dashboard(tmp_path: Path) -> None:
    """--demo/--snapshot: nothing changes, one evaluation; the same root causes as `check --demo`."""
    port = free_port()
    proc = homelabctl(
        "watch", "--demo", "--listen", f"127.0.0.1:{port}", "--db", str(tmp_path / "w.db"), "--no-incidents"
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: get(url + "/readyz")[0] == 200 if proc.poll() is None else True, timeout=60)
        assert proc.poll() is None, proc.communicate()
        served = json.loads(get(url + "/api/report")[1])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    checked = subprocess.run(
        [sys.executable, "-m", "homelabctl", "check", "--demo", "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    expected = json.loads(checked.stdout)
    assert served["source"]["type"] == "demo"
    assert [c["summary"] for c in served["root_causes"]] == [c["summary"] for c in expected["root_causes"]]
    assert served["summary"]["findings"] == expected["summary"]["findings"]
    with IncidentStore(tmp_path / "w.db") as incidents:
        assert incidents.incidents() == []  # --no-incidents
