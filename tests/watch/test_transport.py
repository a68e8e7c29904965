"""ApiTransport against a scripted HTTP server speaking the watch protocol the way kube-apiserver does:
BOOKMARK events, a 410 answer to a stale resourceVersion, an ERROR event with 410 mid-stream, a 403 on watch.
The official client does the HTTP; the reflector loop has to re-list, resume and fall back."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from homelabctl.live.kubeclient import Client, Resolved
from homelabctl.live.server import kubeconfig_for
from homelabctl.sources.base import SourceInfo
from homelabctl.watch.store import StateStore
from homelabctl.watch.watcher import ApiTransport, Backoff, KindWatcher

from factories import node

NODES = Resolved("Node", "Node", "", "v1", "nodes", False)


def _node(name: str, rv: int, ready: str = "True") -> dict[str, Any]:
    obj = node(name, ready=ready)
    obj["metadata"]["resourceVersion"] = str(rv)
    return obj


class Script:
    """What the server answers, request by request."""

    def __init__(self) -> None:
        self.lists: list[dict[str, Any]] = []
        self.watches: list[tuple[int, list[dict[str, Any]]]] = []  # (status, events)
        self.seen: list[str] = []
        self.lock = threading.Lock()


@pytest.fixture
def scripted(tmp_path: Path) -> Iterator[tuple[Script, Path]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            with script.lock:
                script.seen.append(
                    ("watch " if query.get("watch") else "list ") + query.get("resourceVersion", "")
                )
                if query.get("watch"):
                    status, events = script.watches.pop(0) if script.watches else (200, [])
                else:
                    status, events = 200, []
                    body = json.dumps(
                        script.lists.pop(0) if len(script.lists) > 1 else script.lists[0]
                    ).encode()
            if not query.get("watch"):
                self._send(200, body)
                return
            if status != 200:
                self._send(
                    status,
                    json.dumps(
                        {
                            "kind": "Status",
                            "apiVersion": "v1",
                            "status": "Failure",
                            "message": f"status {status}",
                            "code": status,
                        }
                    ).encode(),
                )
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for event in events:
                line = json.dumps(event).encode() + b"\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
            if not events:
                time.sleep(0.2)  # an idle stream that the server ends (timeoutSeconds)
            self.wfile.write(b"0\r\n\r\n")

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(kubeconfig_for(f"http://127.0.0.1:{server.server_address[1]}"), encoding="utf-8")
    yield script, kubeconfig
    server.shutdown()
    server.server_close()


def _run(kubeconfig: Path, until: Any) -> tuple[StateStore, list[str]]:
    client = Client(kubeconfig=kubeconfig, pool_size=4)
    store = StateStore(SourceInfo("live", "scripted"), ["Node"])
    errors: list[str] = []
    watcher = KindWatcher(
        "Node",
        ApiTransport(client, {"Node": NODES}),
        store,
        relist_interval=600,
        on_error=lambda gk, reason: errors.append(reason),
        backoff=Backoff(0.01, 0.05),
        min_gap=0.01,
    )
    watcher.poll_interval = 0.05
    watcher.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not until(store, errors):
        time.sleep(0.02)
    watcher.stop()
    watcher.thread.join(3)
    client.close()
    assert until(store, errors), errors
    return store, errors


def _list(rv: int, *items: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "NodeList",
        "apiVersion": "v1",
        "metadata": {"resourceVersion": str(rv)},
        "items": [{k: v for k, v in i.items() if k not in ("kind", "apiVersion")} for i in items],
    }


def test_bookmarks_resume_and_gone_relists(scripted: tuple[Script, Path]) -> None:
    script, kubeconfig = scripted
    script.lists = [_list(10, _node("a", 10)), _list(40, _node("a", 10), _node("c", 40))]
    script.watches = [
        (
            200,
            [
                {"type": "ADDED", "object": _node("b", 11)},
                {
                    "type": "BOOKMARK",
                    "object": {"kind": "Node", "apiVersion": "v1", "metadata": {"resourceVersion": "20"}},
                },
            ],
        ),
        (410, []),  # the resourceVersion 20 was compacted away: HTTP 410 on the watch request
        (
            200,
            [
                {"type": "MODIFIED", "object": _node("c", 41, ready="Unknown")},
                {
                    "type": "ERROR",
                    "object": {
                        "kind": "Status",
                        "apiVersion": "v1",
                        "status": "Failure",
                        "message": "too old resource version: 41 (50)",
                        "reason": "Expired",
                        "code": 410,
                    },
                },
            ],
        ),
    ]
    store, _ = _run(kubeconfig, lambda s, e: e.count("gone") >= 2)
    assert script.seen[:5] == ["list ", "watch 10", "watch 20", "list ", "watch 40"]
    assert sorted(r.name for r in store.state()[0].index.all("Node")) == [
        "a",
        "c",
    ]  # b vanished with the re-list


def test_watch_forbidden_polls_with_lists(scripted: tuple[Script, Path]) -> None:
    script, kubeconfig = scripted
    script.lists = [_list(1, _node("a", 1)), _list(2, _node("a", 1), _node("b", 2))]
    script.watches = [(403, []), (403, []), (403, [])]
    store, errors = _run(kubeconfig, lambda s, e: len(s.state()[0].index.all("Node")) == 2)
    assert "watch_forbidden" in errors
    status = store.status("Node")
    assert status is not None and status.readable
