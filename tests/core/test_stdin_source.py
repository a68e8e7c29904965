"""``--snapshot -``: objects piped in go through the snapshot loader's limits, redaction and errors."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from homelabctl.errors import SourceError
from homelabctl.sources.stdin import StdinSource

from factories import node, pod
from factories_platform import secret

PASSWORD = "hunter2-correct-horse-battery"


def _list(*items: dict[str, Any]) -> bytes:
    """What ``kubectl get nodes,pods,secrets -A -o json`` prints."""
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": list(items), "metadata": {}}).encode()


def test_reads_a_kubectl_list_and_redacts_on_arrival() -> None:
    piped = _list(node("k3s1"), pod("web-1"), secret("db", "apps", {"password": PASSWORD}))
    state = StdinSource(stream=io.BytesIO(piped)).load()
    assert {res.name for res in state.index} == {"k3s1", "web-1", "db"}
    assert state.source.name == "<stdin>" and not state.errors
    assert PASSWORD not in json.dumps([res.raw for res in state.index], default=str)


def test_reads_multi_document_yaml_and_reports_bad_documents_at_stdin() -> None:
    piped = yaml.safe_dump_all([node("k3s1"), {"kind": "Pod", "metadata": {"name": "x"}}]).encode()
    state = StdinSource(stream=io.BytesIO(piped)).load()
    assert [res.name for res in state.index] == ["k3s1"]
    [error] = state.errors
    assert error.location == "<stdin>" and "without apiVersion" in error.message


def test_the_per_file_limit_holds_for_a_stream() -> None:
    big = _list(*(node(f"n{i}") for i in range(50)))
    with pytest.raises(SourceError, match=r"<stdin>.*too large"):
        StdinSource(stream=io.BytesIO(big), max_file_bytes=1000).load()


def test_stdin_merges_with_snapshot_files(tmp_path: Path) -> None:
    (tmp_path / "nodes.json").write_text(_list(node("k3s2")).decode())
    source = StdinSource(["-", tmp_path / "nodes.json"], stream=io.BytesIO(_list(node("k3s1"))))
    state = source.load()
    assert sorted(res.name for res in state.index) == ["k3s1", "k3s2"]
    assert state.source.name == f"<stdin>, {tmp_path / 'nodes.json'}"


def test_a_terminal_is_not_waited_on() -> None:
    read, write = os.openpty()
    try:
        with os.fdopen(read, "rb", closefd=False) as tty, pytest.raises(SourceError, match="a terminal"):
            StdinSource(stream=tty).load()
    finally:
        os.close(read)
        os.close(write)


def test_check_reads_piped_kubectl_output() -> None:
    piped = _list(
        node("k3s-master1", control_plane=True),
        node("k3s1", ready="Unknown", since=timedelta(days=3)),
        secret("db", "apps", {"password": PASSWORD}),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "homelabctl", "check", "--snapshot", "-", "-o", "json"],
        input=piped,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["source"]["name"] == "<stdin>"
    assert any(f["check"] == "node-not-ready" and f["object"]["name"] == "k3s1" for f in report["findings"])
    assert PASSWORD.encode() not in proc.stdout + proc.stderr


def test_check_names_stdin_when_nothing_can_be_read() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "homelabctl", "check", "--snapshot", "-"],
        input=b"not: [valid",
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.decode().count("\n") == 1 and "<stdin>" in proc.stderr.decode()
