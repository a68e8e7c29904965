"""Input limits the loader enforces whatever the input claims: file types, bytes read, totals, shapes."""

from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest

from homelabctl.errors import SourceError
from homelabctl.sources.base import LoadError
from homelabctl.sources.snapshot import SnapshotSource, parse_documents

from factories import node
from factories_infra import configmap


def configmap_like(name: str, padding: str) -> dict[str, Any]:
    return configmap(name, "default", {"pad": padding})


def _errors(state: object) -> list[str]:
    return [str(e) for e in state.errors]  # type: ignore[attr-defined]


def test_a_fifo_is_skipped_not_waited_on(tmp_path: Path) -> None:
    (tmp_path / "nodes.json").write_text(json.dumps(node("k3s1")))
    os.mkfifo(tmp_path / "pipe.json")  # nobody ever writes: opening it for reading would block forever
    state = SnapshotSource([tmp_path]).load()
    assert len(state.index) == 1
    assert f"{tmp_path / 'pipe.json'}: not a regular file: a FIFO, skipped" in _errors(state)


def test_a_symlink_to_dev_zero_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "nodes.json").write_text(json.dumps(node("k3s1")))
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    (tmp_path / "zero.tar.gz").symlink_to("/dev/zero")
    state = SnapshotSource([tmp_path]).load()
    assert len(state.index) == 1
    errors = _errors(state)
    assert (
        f"{tmp_path / 'zero.json'}: not a regular file: a character device (through a symlink), skipped"
        in errors
    )
    assert any(e.startswith(f"{tmp_path / 'zero.tar.gz'}: not a regular file") for e in errors)
    # named on the command line: the same
    state = SnapshotSource([tmp_path / "zero.json", tmp_path / "nodes.json"]).load()
    assert len(state.index) == 1


def test_bytes_are_counted_while_reading_not_taken_from_the_size(tmp_path: Path) -> None:
    from homelabctl.sources.snapshot import _ByteBudget

    source = SnapshotSource([tmp_path], max_file_bytes=1000)
    errors: list[LoadError] = []
    # a stream longer than its announced size: only the counted bytes matter
    assert source._read_capped(io.BytesIO(b"x" * 5000), "stream", errors, _ByteBudget(10**9)) is None
    assert [str(e) for e in errors] == ["stream: file too large (more than 1000 bytes read), skipped"]


def _member(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    tar.addfile(info, io.BytesIO(content))


def test_a_tarball_of_many_small_members_stops_at_the_total_budget(tmp_path: Path) -> None:
    path = tmp_path / "many.tar.gz"
    padding = "x" * 10_000
    with tarfile.open(path, "w:gz") as tar:
        for i in range(200):
            _member(tar, f"snap/cm-{i}.json", json.dumps(configmap_like(f"cm-{i}", padding)).encode())
    state = SnapshotSource([path], max_total_bytes=300_000).load()
    errors = _errors(state)
    assert 20 <= len(state.index) <= 30
    assert len([e for e in errors if "snapshot too large" in e]) == 1
    assert any("more than 293 KB" in e or "more than 300000 bytes" in e or "too large" in e for e in errors)


def test_a_directory_stops_at_the_total_budget(tmp_path: Path) -> None:
    for i in range(50):
        (tmp_path / f"cm-{i:02}.json").write_text(json.dumps(configmap_like(f"cm-{i}", "y" * 10_000)))
    state = SnapshotSource([tmp_path], max_total_bytes=100_000).load()
    assert len(state.index) < 10
    assert sum("snapshot too large" in e for e in _errors(state)) == 1


def test_a_truncated_tarball_keeps_what_came_before_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "snap.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for i in range(40):
            obj = node(f"n{i}")
            obj["metadata"]["annotations"] = {"pad": os.urandom(3000).hex()}  # incompressible
            _member(tar, f"snap/node-{i}.json", json.dumps(obj).encode())
    data = path.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: len(data) // 2])
    state = SnapshotSource([cut]).load()
    assert 10 < len(state.index) < 40
    (error,) = _errors(state)
    assert error.startswith(f"{cut}:snap/node-") and "truncated or corrupt tarball member" in error
    cut.write_bytes(data[:100])  # nothing loadable before the cut: a SourceError, exit 2
    with pytest.raises(SourceError, match=r"not a readable tarball|truncated or corrupt") as caught:
        SnapshotSource([cut]).load()
    assert caught.value.exit_code == 2


def _json_errors(content: bytes, name: str = "x.json") -> list[str]:
    errors: list[LoadError] = []
    docs = list(parse_documents(content, name, errors))
    assert not docs
    return [str(e) for e in errors]


def test_deep_nesting_is_a_one_line_error() -> None:
    assert _json_errors(b"[" * 100_000 + b"]" * 100_000) == [
        "x.json: invalid JSON: nested too deeply, skipped"
    ]
    (error,) = _json_errors(b"a: " + b"[" * 100_000 + b"]" * 100_000, "x.yaml")
    assert error.startswith("x.yaml:1: invalid YAML:") and "nesting depth" in error
    (error,) = _json_errors(b"a: &a [1]\nb: *a\nc: " + b"[" * 150 + b"]" * 150, "x.yaml")
    assert error == "x.yaml:1: nested deeper than 100 levels, skipped"
    errors: list[LoadError] = []
    assert list(parse_documents(b'{"a":' * 50 + b"1" + b"}" * 50, "ok.json", errors)) and not errors


def test_huge_integers_are_one_line_errors() -> None:
    (error,) = _json_errors(b'{"spec": {"replicas": ' + b"9" * 5000 + b"}}")
    assert error.startswith("x.json: invalid JSON: Exceeds the limit (4300 digits)")
    (error,) = _json_errors(b"spec:\n  replicas: " + b"9" * 5000 + b"\n", "x.yaml")
    assert error.startswith("x.yaml: invalid YAML: Exceeds the limit (4300 digits)")


def test_yaml_alias_bombs_are_refused() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n"
        + "\n".join("  " + line for line in lines)
        + "\n"
    ).encode()
    (error,) = _json_errors(bomb, "bomb.yaml")
    assert (
        error
        == "bomb.yaml:1: YAML aliases expand to more values than the file holds (an alias bomb), skipped"
    )
    # a few honest anchors (Helm values do this) still load
    errors: list[LoadError] = []
    honest = b"kind: ConfigMap\nx: &x {a: 1, b: 2}\ny: *x\nz: *x\n"
    assert list(parse_documents(honest, "ok.yaml", errors)) and not errors


def test_nothing_outside_the_snapshot_directory_is_read(tmp_path: Path) -> None:
    root = tmp_path / "snap"
    root.mkdir()
    (root / "nodes.json").write_text(json.dumps(node("k3s1")))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "other.json").write_text(json.dumps(node("k3s9")))
    (root / "other.json").symlink_to(elsewhere / "other.json")
    (root / "everything").symlink_to("/")
    inner = root / "sub"
    inner.mkdir()
    (inner / "n.json").write_text(json.dumps(node("k3s2")))
    (root / "alias").symlink_to(inner)  # inside: followed (and its target visited once)
    state = SnapshotSource([root]).load()
    assert sorted(n.name for n in state.index.all("Node")) == ["k3s1", "k3s2"]
    errors = _errors(state)
    assert f"{root / 'other.json'}: symlink to a file outside the snapshot, skipped" in errors
    assert f"{root / 'everything'}: symlink to a directory outside the snapshot, skipped" in errors


def test_the_number_of_objects_is_bounded(tmp_path: Path) -> None:
    items = [configmap_like(f"cm-{i}", "x") for i in range(50)]
    (tmp_path / "a.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    (tmp_path / "b.json").write_text(json.dumps(node("k3s1")))
    state = SnapshotSource([tmp_path], max_objects=20).load()
    assert len(state.index) == 20
    assert [e for e in _errors(state) if "more than 20 objects" in e] == [
        f"{tmp_path / 'a.json'}: more than 20 objects in the snapshot; the rest is skipped"
    ]


class _CountingReader(io.BytesIO):
    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.asked: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.asked.append(-1 if size is None else size)
        return super().read(size)


@pytest.mark.parametrize("hint", [0, 10, 3 * 1024 * 1024, 50 * 1024 * 1024])
def test_a_file_is_read_whole_whatever_its_announced_size(hint: int) -> None:
    """What the file system announces sizes the first read (one call, one buffer, no copy by joining chunks
    when it is right), and never limits what is read when it is wrong."""
    from homelabctl.sources.snapshot import _ByteBudget

    content = b"x" * (3 * 1024 * 1024)
    reader = _CountingReader(content)
    source = SnapshotSource(["unused"], max_file_bytes=20 * 1024 * 1024)
    budget = _ByteBudget(10**9)
    assert source._read_capped(reader, "f.json", [], budget, hint) == content
    assert budget.remaining == 10**9 - len(content)
    if hint == len(content):
        assert len(reader.asked) == 2  # the whole file, then the end
    assert reader.asked[0] == min(max(1024 * 1024, hint + 1), 20 * 1024 * 1024 + 1)
