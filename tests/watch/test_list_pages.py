"""ApiTransport.list against a real HTTP server answering paged lists byte for byte: objects are decoded one at
a time as the store takes them, read exactly as the standard library reads them, and a page that is not JSON
fails the list before anything is replaced."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from homelabctl.live.kubeclient import Client, ListFailed, Resolved
from homelabctl.live.server import kubeconfig_for
from homelabctl.watch.watcher import ApiTransport

CONFIGMAPS = Resolved("ConfigMap", "ConfigMap", "", "v1", "configmaps", True)

PAGES = {
    "": b'{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"7","continue":"p2"},'
    b'"items":[{"metadata":{"name":"a","namespace":"x"},"data":{"k":"v"}},"not an object",'
    b'{"metadata":{"name":"huge","namespace":"x"},"data":{"n":1e999}}]}',
    "p2": b'{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"9"},'
    b'"items":[{"metadata":{"name":"b","namespace":"y"},"data":{"k":"\\u00e9"}}]}',
    "broken": b'{"kind":"ConfigMapList","items":[{"metadata":',
}


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Iterator[tuple[Path, dict[str, bytes]]]:
    pages = dict(PAGES)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
            body = pages[query.get("continue", "")]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    path = tmp_path / "kubeconfig"
    path.write_text(kubeconfig_for(f"http://127.0.0.1:{server.server_address[1]}"), encoding="utf-8")
    yield path, pages
    server.shutdown()
    server.server_close()


def test_pages_are_read_whole_then_decoded_one_object_at_a_time(
    kubeconfig: tuple[Path, dict[str, bytes]],
) -> None:
    path, _ = kubeconfig
    client = Client(kubeconfig=path, pool_size=2)
    try:
        objects, version = ApiTransport(client, {"ConfigMap": CONFIGMAPS}).list("ConfigMap")
    finally:
        client.close()
    assert version == "9"
    assert not isinstance(objects, list)  # nothing decoded yet
    decoded = list(objects)
    assert [o["metadata"]["name"] for o in decoded] == ["a", "huge", "b"]
    assert all(o["kind"] == "ConfigMap" and o["apiVersion"] == "v1" for o in decoded)
    assert decoded[1]["data"]["n"] == float("inf")  # as json.loads reads it
    assert decoded[2]["data"]["k"] == "é"


def test_a_page_that_is_not_json_fails_the_list(kubeconfig: tuple[Path, dict[str, bytes]]) -> None:
    path, pages = kubeconfig
    pages["p2"] = pages["broken"]
    client = Client(kubeconfig=path, pool_size=2)
    try:
        with pytest.raises(ListFailed) as failure:
            ApiTransport(client, {"ConfigMap": CONFIGMAPS}).list("ConfigMap")
    finally:
        client.close()
    assert failure.value.status.reason == "cannot list configmaps: the answer is not JSON"
