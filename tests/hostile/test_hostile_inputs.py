"""Each hostile class, generated, through the CLI under memory and time limits (see conftest)."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import socket
import sqlite3
import tarfile
import time
from pathlib import Path

import pytest

from .conftest import DEMO, Outcome, assert_clean, limits, run_limited

NODE = {
    "apiVersion": "v1",
    "kind": "Node",
    "metadata": {"name": "k3s1"},
    "status": {
        "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": "2025-06-16T02:59:00Z"}]
    },
}


def snapshot_dir(tmp_path: Path, name: str = "snap") -> Path:
    """A small good snapshot the hostile pieces are added to: the run must go on with it."""
    root = tmp_path / name
    root.mkdir()
    (root / "nodes.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [NODE]}))
    return root


def check(path: Path, *extra: str) -> Outcome:
    return assert_clean(run_limited("check", "--snapshot", str(path), "-o", "json", *extra))


def warnings(outcome: Outcome) -> list[str]:
    return [line for line in outcome.stderr.splitlines() if line.startswith("homelabctl: warning: ")]


# -- what is read --------------------------------------------------------------------------------------------
def test_symlink_to_dev_zero(tmp_path: Path) -> None:
    root = snapshot_dir(tmp_path)
    (root / "zero.json").symlink_to("/dev/zero")
    (root / "zero.yaml").symlink_to("/dev/urandom")
    outcome = check(root)
    assert outcome.returncode in (0, 1)
    assert any(
        "zero.json: not a regular file: a character device (through a symlink)" in w
        for w in warnings(outcome)
    )


def test_fifo(tmp_path: Path) -> None:
    root = snapshot_dir(tmp_path)
    os.mkfifo(root / "pipe.yaml")
    outcome = check(root)
    assert outcome.returncode in (0, 1) and any("not a regular file: a FIFO" in w for w in warnings(outcome))
    alone = assert_clean(run_limited("check", "--snapshot", str(root / "pipe.yaml")))
    assert alone.returncode == 2


def test_socket_in_a_snapshot_directory(tmp_path: Path) -> None:
    root = snapshot_dir(tmp_path)
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(root / "s.json"))
        outcome = check(root)
    assert outcome.returncode in (0, 1) and any("a socket" in w for w in warnings(outcome))


def test_sparse_huge_file(tmp_path: Path) -> None:
    root = snapshot_dir(tmp_path)
    with (root / "huge.json").open("wb") as fh:
        fh.seek(3 * 1024**3)
        fh.write(b"}")
    outcome = check(root)
    assert any("file too large" in w for w in warnings(outcome))


def test_directory_of_many_files_past_the_total_budget(tmp_path: Path) -> None:
    root = snapshot_dir(tmp_path)
    padding = b" " * (30 * 1024 * 1024)
    for i in range(25):  # 750 MB of (whitespace-padded) JSON: past the 512 MB total
        path = root / f"cm-{i:02}.json"
        with path.open("wb") as fh:
            fh.write(
                json.dumps(
                    {
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "metadata": {"name": f"cm-{i}", "namespace": "default"},
                    }
                ).encode()
            )
            fh.write(padding)
    outcome = check(root)
    assert outcome.returncode in (0, 1)
    assert sum("snapshot too large" in w for w in warnings(outcome)) == 1


def _gzip_tar_bomb(path: Path, members: int, member_size: int) -> None:
    """A .tar.gz of MEMBERS members of MEMBER_SIZE bytes each, built as concatenated gzip members so that
    gigabytes unpacked cost kilobytes and milliseconds to write."""
    body = json.dumps(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "pad", "namespace": "x"}}
    )
    data = body.encode() + b" " * (member_size - len(body))
    data_gz = gzip.compress(data + b"\0" * (-len(data) % 512), 9)
    with path.open("wb") as out:
        for i in range(members):
            info = tarfile.TarInfo(f"snap/pad-{i:05}.json")
            info.size = member_size
            out.write(gzip.compress(info.tobuf(format=tarfile.GNU_FORMAT)))
            out.write(data_gz)
        out.write(gzip.compress(b"\0" * 1024))


def test_tarball_of_many_small_members_adding_to_gigabytes(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.tar.gz"
    _gzip_tar_bomb(bomb, members=400, member_size=10 * 1024 * 1024)  # 4 GB unpacked, each under the file cap
    assert bomb.stat().st_size < 20 * 1024 * 1024
    outcome = check(bomb)
    assert outcome.returncode in (0, 1)
    assert any("snapshot too large" in w for w in warnings(outcome))


def test_truncated_tarball(tmp_path: Path) -> None:
    full = tmp_path / "full.tar.gz"
    with tarfile.open(full, "w:gz") as tar:
        tar.add(DEMO, arcname="snap")
    data = full.read_bytes()
    for keep in (len(data) // 2, 200, 20):
        cut = tmp_path / f"cut-{keep}.tar.gz"
        cut.write_bytes(data[:keep])
        outcome = assert_clean(run_limited("check", "--snapshot", str(cut), "-o", "json"))
        assert outcome.returncode in (0, 1, 2)
        assert "aborted" not in outcome.stderr and outcome.returncode != 130
        assert "truncated" in outcome.stderr or "not a readable tarball" in outcome.stderr


def test_symlink_loop_symlink_to_root_and_unreadable_directory(tmp_path: Path) -> None:
    root = snapshot_dir(tmp_path)
    (root / "loop").symlink_to(root)
    (root / "slash").symlink_to("/")  # never walked: nothing outside the snapshot is read
    locked = root / "locked"
    locked.mkdir()
    (locked / "x.json").write_text("{}")
    locked.chmod(0)
    try:
        outcome = check(root)
    finally:
        locked.chmod(0o700)
    assert outcome.returncode in (0, 1)
    assert any("slash: symlink to a directory outside the snapshot" in w for w in warnings(outcome))


# -- what is parsed ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param(n, c, id=n)
        for n, c in [
            ("deep.json", b"[" * 100_000 + b"]" * 100_000),
            ("deep-object.json", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
            ("deep.yaml", b"a: " + b"[" * 100_000 + b"]" * 100_000),
            ("block-deep.yaml", "".join(" " * i + "- \n" for i in range(3000)).encode()),
            (
                "digits.json",
                b'{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":'
                + b"9" * 5000
                + b"}}",
            ),
            (
                "digits.yaml",
                b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: n}\ndata:\n  x: " + b"7" * 5000 + b"\n",
            ),
            ("binary.json", os.urandom(4096)),
            ("latin1.yaml", "kind: ConfigMap\nname: caf\xe9\n".encode("latin-1")),
            ("nul.json", b'{"kind": "Pod"}\x00\x00'),
        ]
    ],
)
def test_hostile_documents(tmp_path: Path, name: str, content: bytes) -> None:
    root = snapshot_dir(tmp_path)
    (root / name).write_bytes(content)
    outcome = check(root)
    assert outcome.returncode in (0, 1)
    assert any(name in w for w in warnings(outcome)), outcome.stderr[-500:]
    alone = assert_clean(run_limited("check", "--snapshot", str(root / name), "-o", "json"))
    assert alone.returncode == 2


def test_billion_laughs(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    root = snapshot_dir(tmp_path)
    (root / "lol.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol, namespace: x}\ndata:\n"
        + "\n".join("  " + line for line in lines)
        + "\n"
    )
    outcome = check(root)
    assert any("alias bomb" in w for w in warnings(outcome))


# -- what objects hold ---------------------------------------------------------------------------------------
TYPE_CONFUSION = [
    ("Deployment", ["spec", "replicas"], "zzz"),
    ("Deployment", ["status", "readyReplicas"], [1]),
    ("Pod", ["status", "containerStatuses"], {"a": 1}),
    ("Pod", ["spec", "containers"], "nope"),
    ("Pod", ["metadata", "labels"], ["x"]),
    ("Node", ["status", "conditions"], "Ready"),
    ("DaemonSet", ["status", "numberReady"], "three"),
    ("Event", ["count"], "many"),
    ("Pod", ["spec"], []),
    ("HelmRelease", ["spec", "values"], "x"),
]


@pytest.mark.parametrize(
    ("kind", "path", "value"), TYPE_CONFUSION, ids=[f"{k}.{'.'.join(p)}={v!r}" for k, p, v in TYPE_CONFUSION]
)
def test_type_confusion_costs_one_object(tmp_path: Path, kind: str, path: list[str], value: object) -> None:
    snap = tmp_path / "demo"
    shutil.copytree(DEMO, snap)
    import yaml

    changed = False
    for file in sorted(snap.glob("*.yaml")):
        docs = list(yaml.safe_load_all(file.read_text()))
        for doc in docs:
            for obj in doc.get("items", [doc]) if isinstance(doc, dict) else []:
                group = str(obj.get("apiVersion", "")).rpartition("/")[0] if isinstance(obj, dict) else ""
                builtin = "." not in group or kind == "HelmRelease"  # Longhorn has a Node kind too
                if not changed and isinstance(obj, dict) and obj.get("kind") == kind and builtin:
                    node = obj
                    for key in path[:-1]:
                        node = node.setdefault(key, {})
                    node[path[-1]] = value
                    changed = True
        if changed:
            file.write_text(yaml.safe_dump_all(docs))
            break
    assert changed, kind
    outcome = check(snap)
    assert outcome.returncode in (0, 1)
    report = outcome.report
    assert report["findings"], "the rest of the report must still be there"
    field = ".".join(path)
    assert any(f"{kind} " in w and field in w and "object skipped" in w for w in warnings(outcome)), (
        outcome.stderr[-800:]
    )


# -- the live path -------------------------------------------------------------------------------------------
def test_stalled_kinds_end_at_the_deadline(tmp_path: Path) -> None:
    import subprocess
    import sys

    kubeconfig = tmp_path / "kc"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "homelabctl",
            "snapshot",
            "serve",
            "--demo",
            "--port",
            "0",
            "--fault",
            "stall:Pod",
            "--fault",
            "stall:Deployment",
            "--kubeconfig-out",
            str(kubeconfig),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not kubeconfig.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        outcome = assert_clean(
            run_limited(
                "check",
                "--kubeconfig",
                str(kubeconfig),
                "--deadline",
                "6",
                "--request-timeout",
                "20",
                "-o",
                "json",
                "--schema",
                "v1",
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert outcome.returncode in (0, 1)
    assert outcome.elapsed < 6 * 1.1 + 6, f"{outcome.elapsed:.1f}s"  # the deadline plus start-up and checks
    report = outcome.report
    partial = {p["check"] for p in report["partially_evaluated"]}  # type: ignore[union-attr]
    assert "workload-replicas-unavailable" in partial
    assert "workload-replicas-unavailable" not in report["passed"]  # type: ignore[operator]


def test_serve_survives_hostile_requests(tmp_path: Path) -> None:
    import subprocess
    import sys
    import urllib.request

    kubeconfig = tmp_path / "kc"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "homelabctl",
            "snapshot",
            "serve",
            "--demo",
            "--port",
            "0",
            "--kubeconfig-out",
            str(kubeconfig),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limits,
    )
    try:
        deadline = time.monotonic() + 30
        while not kubeconfig.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        url = next(
            line.split("server: ", 1)[1] for line in kubeconfig.read_text().splitlines() if "server: " in line
        )
        host, port = url.removeprefix("http://").rsplit(":", 1)
        for request in (
            b"GET /api HTTP/1.1\r\nContent-Length: zz\r\n\r\n",
            b"POST /api/v1/pods HTTP/1.1\r\nContent-Length: 400000000\r\n\r\n{",
            b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\n\r\n",
            b"\x16\x03\x01\x02\x00garbage\r\n\r\n",
            b"GET /api/v1/pods HTTP/1.1\r\n" + b"X: y\r\n" * 10_000 + b"\r\n",
        ):
            with socket.create_connection((host, int(port)), timeout=10) as sock:
                sock.sendall(request)
                answer = sock.recv(65536)
            assert answer.startswith((b"HTTP/1.1 4", b"HTTP/1.0 4")) and b'"kind":"Status"' in answer, answer[
                :300
            ]
        with urllib.request.urlopen(url.strip() + "/api/v1/nodes", timeout=10) as response:
            assert json.load(response)["items"]
    finally:
        server.send_signal(2)
        code = server.wait(timeout=10)
    stderr = server.stderr.read() if server.stderr else ""
    assert code == 0 and "Traceback" not in stderr and "Error handling request" not in stderr


# -- the incident store --------------------------------------------------------------------------------------
def test_corrupt_incident_database(tmp_path: Path) -> None:
    db = tmp_path / "incidents.db"
    env = {"HOMELABCTL_DB": str(db)}
    for i in range(40):
        assert_clean(
            run_limited(
                "incident",
                "new",
                "--title",
                f"incident {i} " + "x" * 900,
                "--what-happened",
                "y" * 3000,
                env=env,
            )
        )
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    for offset in range(4096 * 3, min(len(data), 4096 * 10), 4096):
        data[offset : offset + 100] = b"\xff" * 100
    db.write_bytes(bytes(data))
    for args in (["list"], ["show", "3"], ["new", "--title", "one more"]):
        outcome = assert_clean(run_limited("incident", *args, env=env))
        assert outcome.returncode == 2 and "damaged" in outcome.stderr
    assert db.read_bytes() == bytes(data)


def test_terminal_escapes_in_incident_titles(tmp_path: Path) -> None:
    env = {"HOMELABCTL_DB": str(tmp_path / "incidents.db")}
    assert_clean(
        run_limited(
            "incident",
            "new",
            "--title",
            "ok\x1b[2J\x1b]52;c;cHduZWQ=\x07\u202eevil",
            "--timeline",
            "09:00 \x1b[31mred",
            env=env,
        )
    )
    for args in (["list"], ["show", "1"]):
        outcome = assert_clean(run_limited("incident", *args, env=env))
        assert (
            "\x1b" not in outcome.stdout and "\x07" not in outcome.stdout and "\u202e" not in outcome.stdout
        )


def test_unsafe_members_of_a_tarball_inside_a_directory(tmp_path: Path) -> None:
    root = snapshot_dir(tmp_path)
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as tar:
        info = tarfile.TarInfo("../../etc/evil.json")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"{}"))
        link = tarfile.TarInfo("snap/dev.json")
        link.type = tarfile.CHRTYPE
        tar.addfile(link)
    (root / "nested.tar.gz").write_bytes(inner.getvalue())
    outcome = check(root)
    assert any("unsafe path in tarball" in w for w in warnings(outcome))


def test_type_confusion_in_custom_resources_is_contained_by_the_engine(tmp_path: Path) -> None:
    """Custom resources are not type-checked at the door (they name fields as they like): a check that
    chokes on one is rerun without it, and the report says which object it skipped."""
    import yaml

    snap = tmp_path / "demo"
    shutil.copytree(DEMO, snap)
    file = snap / "longhorn.yaml"
    docs = list(yaml.safe_load_all(file.read_text()))
    mangled = 0
    for doc in docs:
        for obj in doc.get("items", [doc]) if isinstance(doc, dict) else []:
            if (
                isinstance(obj, dict)
                and obj.get("kind") in ("Node", "Volume")
                and "longhorn" in obj["apiVersion"]
            ):
                obj["status"] = {"conditions": "Ready", "robustness": ["x"], "state": {"a": 1}}
                obj["spec"] = {"numberOfReplicas": "three", "nodeSelector": 7}
                mangled += 1
    file.write_text(yaml.safe_dump_all(docs))
    assert mangled
    outcome = check(snap)
    assert outcome.returncode in (0, 1) and outcome.report["findings"]
    crashed = [
        n
        for n in outcome.report["not_evaluated"]  # type: ignore[attr-defined]
        if n["reason"].startswith("check failed")
    ]
    assert not crashed, crashed


def test_a_million_tiny_objects(tmp_path: Path) -> None:
    """Under the per-file size cap, but more objects than memory and time allow to index and check."""
    root = snapshot_dir(tmp_path)
    item = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c%d","namespace":"n"}}'
    with (root / "many.json").open("w") as out:
        out.write('{"apiVersion":"v1","kind":"List","items":[')
        out.write(",".join(item % i for i in range(1_100_000)))
        out.write("]}")
    outcome = check(root)
    assert outcome.returncode in (0, 1)
    assert any("more than 300,000 objects" in w for w in warnings(outcome))
