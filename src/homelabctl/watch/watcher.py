"""List, then watch, every kind the checks read, and keep a :class:`StateStore` current.

Per kind, the client-go reflector's loop: list (paged) → the store holds exactly that list → watch from the
list's ``resourceVersion`` with bookmarks → apply each event; a stream that ends is resumed from the last
resourceVersion seen; ``410 Gone`` (the version was compacted away) means list again; any other failure
backs off exponentially (with jitter, capped) and counts as a watch error. A full re-list every
``relist_interval`` seconds is the safety net for a watch that silently lost events.

A kind the server refuses (403) or does not serve becomes a :class:`KindStatus` in the store — its checks are
"not evaluated", never passing — and is retried every ``relist_interval``.

The transport is a protocol: :class:`ApiTransport` speaks HTTP through the official client's configuration
(kubeconfig, in-cluster service account, exec plugins, TLS); tests drive the same loop with a fake.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

import msgspec

from homelabctl.k8s import revisions
from homelabctl.live.kubeclient import Client, ListFailed, RequestFailed, Resolved, describe_transport_error
from homelabctl.sources.base import KindStatus
from homelabctl.watch.store import StateStore

log = logging.getLogger("homelabctl.watch")

PAGE_SIZE = 500
WATCH_TIMEOUT = 300
"""Seconds a watch request asks the server to keep the stream open (client-go uses 5–10 minutes)."""
MIN_WATCH_GAP = 1.0
"""A stream that ends at once is resumed no sooner than this: no hot loop against a server that closes early."""


MAX_WATCH_GAP = 60.0


class Gone(Exception):
    """410: the resourceVersion we watch from is too old; list again."""


class StreamFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WatchRefused(StreamFailed):
    """403 on watch while list is allowed (a role made for ``check``): poll with lists instead."""


class WatchEvent(msgspec.Struct, frozen=True):
    type: str
    """ADDED, MODIFIED, DELETED, BOOKMARK."""
    object: dict[str, Any]

    @property
    def resource_version(self) -> str:
        return revisions.resource_version(self.object)


class Transport(Protocol):
    def list(self, gk: str) -> tuple[Iterable[dict[str, Any]], str]:
        """Every object of ``gk`` and the list's resourceVersion. Raises ListFailed (before the objects are
        iterated: a list that fails half-way replaces nothing)."""
        ...

    def watch(self, gk: str, resource_version: str, timeout_seconds: int) -> Iterator[WatchEvent]:
        """Events after ``resource_version`` until the server ends the stream. Raises Gone, StreamFailed,
        ListFailed (403/404)."""
        ...

    def cancel(self, gk: str) -> None:
        """Unblock a watch in progress (shutdown)."""
        ...


class ApiTransport:
    """Lists and watches through :class:`homelabctl.live.kubeclient.Client`."""

    def __init__(self, client: Client, resolved: dict[str, Resolved]) -> None:
        self.client = client
        self.resolved = resolved
        self._open: dict[str, Any] = {}
        self._lock = threading.Lock()

    def list(self, gk: str) -> tuple[Iterable[dict[str, Any]], str]:
        """Every page is fetched first (a list that fails half-way replaces nothing), but its objects are
        decoded one at a time as the store takes them: each is redacted and its parts shared before the next
        is parsed, so the whole parsed kind (three times its JSON) never exists at once, and what sharing
        frees is reused by the next object instead of leaving holes between the ones kept."""
        item = self.resolved[gk]
        label = item.resource_name
        pages: list[tuple[str, list[Any]]] = []
        token = ""
        resource_version = ""
        while True:
            query = [("limit", str(PAGE_SIZE))] + ([("continue", token)] if token else [])
            try:
                result = self.client.get(item.path, query)
            except RequestFailed as exc:
                raise ListFailed(KindStatus("error", f"cannot list {label}: {exc.why}")) from None
            if result.status == 403:
                raise ListFailed(KindStatus("forbidden", f"forbidden: cannot list {label}"))
            if result.status == 404:
                raise ListFailed(KindStatus("not_installed", f"{label}: {result.message()}"))
            if result.status == 410:
                raise ListFailed(
                    KindStatus("error", f"cannot list {label}: continue token expired"), expired=True
                )
            if result.status != 200:
                raise ListFailed(
                    KindStatus("error", f"cannot list {label}: HTTP {result.status} {result.message()}")
                )
            data, raws = _page(result.body)
            if data is None:
                raise ListFailed(KindStatus("error", f"cannot list {label}: the answer is not JSON"))
            pages.append((str(data.get("apiVersion") or item.api_version), raws))
            resource_version = revisions.resource_version(data) or resource_version
            token = revisions.continue_token(data)
            if not token:
                return _objects(pages, item.kind), resource_version

    def watch(self, gk: str, resource_version: str, timeout_seconds: int) -> Iterator[WatchEvent]:
        import urllib3.exceptions as u3

        item = self.resolved[gk]
        query = [("watch", "1"), ("allowWatchBookmarks", "true"), ("timeoutSeconds", str(timeout_seconds))]
        if resource_version:
            query.append(("resourceVersion", resource_version))
        api_client = self.client.api_client
        try:
            with self.client._auth_lock:
                method, url, headers, _, _ = api_client.param_serialize(
                    "GET",
                    item.path,
                    query_params=query,
                    header_params={"Accept": "application/json"},
                    auth_settings=["BearerToken"],
                )
            response: Any = api_client.call_api(
                method, url, headers, _request_timeout=(self.client.request_timeout, timeout_seconds + 30)
            )
        except (u3.HTTPError, OSError) as exc:
            raise StreamFailed(describe_transport_error(exc)) from None
        except Exception as exc:  # the REST layer wraps TLS failures in its own exception
            raise StreamFailed(f"{type(exc).__name__}: {exc}") from None
        raw = response.response
        with self._lock:
            self._open[gk] = raw
        try:
            if raw.status != 200:
                body = raw.read()
                message = _status_message(body) or f"HTTP {raw.status}"
                if raw.status == 410:
                    raise Gone(message)
                if raw.status == 403:
                    raise WatchRefused(f"forbidden: cannot watch {item.resource_name}")
                raise StreamFailed(f"watch {item.resource_name}: HTTP {raw.status} {message}")
            chunks = raw.read_chunked() if raw.chunked else raw.stream(65536)
            yield from _events(chunks, item)
        except (u3.HTTPError, OSError) as exc:
            if self._open.get(gk) is None:  # cancelled by shutdown
                return
            raise StreamFailed(describe_transport_error(exc)) from None
        finally:
            with self._lock:
                self._open.pop(gk, None)
            raw.release_conn()

    def cancel(self, gk: str) -> None:
        with self._lock:
            raw = self._open.pop(gk, None)
        if raw is not None:
            try:
                raw.shutdown()
            except Exception:  # already closed: nothing to unblock
                log.debug("cancel %s: stream already closed", gk)


class _Page(msgspec.Struct):
    """A list answer with its items left as byte ranges of the answer, decoded one at a time later."""

    apiVersion: Any = None
    metadata: Any = None
    items: list[msgspec.Raw] | None = None


_PAGE = msgspec.json.Decoder(_Page)
_OBJECT = msgspec.json.Decoder()


def _page(body: bytes) -> tuple[dict[str, Any] | None, list[Any]]:
    """(the list without its items, its items: byte ranges, or objects when msgspec cannot split it); None
    when the answer is not a JSON object."""
    try:
        page = _PAGE.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        pass
    else:
        return {"apiVersion": page.apiVersion, "metadata": page.metadata}, list(page.items or [])
    # what only the standard library reads (1e999, lone surrogates), or a shape msgspec refuses: as before
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None, []
    if not isinstance(data, dict):
        return None, []
    items = data.pop("items", None)
    return data, items if isinstance(items, list) else []


def _objects(pages: list[tuple[str, list[Any]]], kind: str) -> Iterator[dict[str, Any]]:
    """Each page's objects, decoded (and their byte ranges dropped) one at a time."""
    while pages:
        api_version, items = pages.pop(0)
        for index, raw in enumerate(items):
            items[index] = None
            obj = _decode(raw) if isinstance(raw, msgspec.Raw) else raw
            if isinstance(obj, dict):
                obj.setdefault("kind", kind)
                obj.setdefault("apiVersion", api_version)
                yield obj


def _decode(raw: msgspec.Raw) -> Any:
    try:
        return _OBJECT.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        pass
    try:  # 1e999 as inf, lone surrogates: the standard library's reading, as for every other answer
        return json.loads(bytes(raw))
    except (ValueError, RecursionError):
        log.warning("an object of a list is not JSON; skipped")
        return None


def _status_message(body: bytes) -> str:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body[:200].decode("utf-8", "replace").strip()
    return str(data.get("message") or "") if isinstance(data, dict) else ""


MAX_EVENT_BYTES = 64 * 1024 * 1024
"""One watch event larger than this ends the stream (the API server's own request limit is 3 MiB per object)."""


def _events(chunks: Iterator[bytes], item: Resolved) -> Iterator[WatchEvent]:
    """Newline-delimited JSON events from a byte stream (a chunk may hold several events or part of one)."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        if len(buffer) > MAX_EVENT_BYTES and b"\n" not in buffer:
            raise StreamFailed(
                f"watch {item.resource_name}: an event larger than {MAX_EVENT_BYTES >> 20} MiB"
            )
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                yield _event(line, item)
    if buffer.strip():
        yield _event(buffer, item)


def _event(line: bytes, item: Resolved) -> WatchEvent:
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        raise StreamFailed(f"watch {item.resource_name}: an event is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise StreamFailed(f"watch {item.resource_name}: an event without an object")
    kind, obj = str(data.get("type", "")), data["object"]
    if kind == "ERROR":
        code = obj.get("code")
        if code == 410 or obj.get("reason") in ("Expired", "Gone"):
            raise Gone(str(obj.get("message") or "resourceVersion too old"))
        raise StreamFailed(f"watch {item.resource_name}: {obj.get('message') or 'error event'}")
    obj.setdefault("kind", item.kind)
    obj.setdefault("apiVersion", item.api_version)
    return WatchEvent(kind, obj)


class Backoff:
    """1 s, 2 s, 4 s ... capped, with ±20 % jitter so a restarted API server is not hit by every kind at once."""

    def __init__(self, base: float = 1.0, cap: float = 60.0) -> None:
        self.base, self.cap, self.failures = base, cap, 0

    def next(self) -> float:
        delay = min(self.cap, self.base * (2**self.failures))
        self.failures += 1
        return float(delay * random.uniform(0.8, 1.2))

    def reset(self) -> None:
        self.failures = 0


ErrorHook = Callable[[str, str], None]


class KindWatcher:
    """The reflector loop for one kind, on its own thread."""

    def __init__(
        self,
        gk: str,
        transport: Transport,
        store: StateStore,
        *,
        relist_interval: float = 600.0,
        on_error: ErrorHook | None = None,
        backoff: Backoff | None = None,
        watch_timeout: int = WATCH_TIMEOUT,
        min_gap: float = MIN_WATCH_GAP,
    ) -> None:
        self.gk = gk
        self.min_gap = min_gap
        self.transport = transport
        self.store = store
        self.relist_interval = relist_interval
        self.on_error = on_error or (lambda gk, reason: None)
        self.backoff = backoff or Backoff()
        self.watch_timeout = watch_timeout
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name=f"watch-{gk}", daemon=True)
        self.lists = 0
        self.events = 0
        self.polling = 0
        self.empty_streams = 0
        self.poll_interval = min(60.0, relist_interval)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.transport.cancel(self.gk)

    def _sleep(self, seconds: float) -> None:
        self.stopping.wait(seconds)

    def _list(self) -> str:
        items, resource_version = self.transport.list(self.gk)
        self.store.replace(self.gk, items)
        self.lists += 1
        return resource_version

    def run(self) -> None:
        resource_version: str | None = None
        listed_at = 0.0
        while not self.stopping.is_set():
            try:
                if resource_version is None or time.monotonic() - listed_at >= self.relist_interval:
                    resource_version = self._list()
                    listed_at = time.monotonic()
                    self.backoff.reset()
                remaining = self.relist_interval - (time.monotonic() - listed_at)
                timeout = max(1, min(self.watch_timeout, int(remaining) + 1))
                started = time.monotonic()
                received = False
                for event in self.transport.watch(self.gk, resource_version, timeout):
                    if self.stopping.is_set():
                        return
                    received = True
                    if event.resource_version:
                        resource_version = event.resource_version
                    if event.type in ("ADDED", "MODIFIED", "DELETED"):
                        self.events += 1
                        self.store.apply(self.gk, event.type, event.object)  # type: ignore[arg-type]
                    self.backoff.reset()
                # A server (or proxy) that ends every stream at once: resume after a pause that doubles while
                # it keeps doing so, up to a minute, instead of asking again and again.
                quick = time.monotonic() - started < self.min_gap
                self.empty_streams = self.empty_streams + 1 if quick and not received else 0
                if quick:
                    self._sleep(min(MAX_WATCH_GAP, self.min_gap * 2 ** min(self.empty_streams, 6)))
            except Gone:
                resource_version = None  # list again, at once: the watch cache moved on
                self.on_error(self.gk, "gone")
            except ListFailed as failure:
                resource_version = None
                # A failed re-list of a kind we hold keeps the objects (a little stale beats every cause on
                # that kind "resolving" and coming back with the next list); refusals and first lists say why.
                if failure.status.state != "error" or self.lists == 0:
                    self.store.set_status(self.gk, failure.status)
                if failure.status.state in ("forbidden", "not_installed", "absent"):
                    self.lists = 0
                    self.on_error(self.gk, failure.status.state)
                    self._sleep(self.relist_interval)
                else:
                    self.on_error(self.gk, "list")
                    self._sleep(self.backoff.next())
            except WatchRefused as failure:
                if self.polling == 0:
                    log.warning(
                        "watch %s: %s; re-listing every %.0f s instead",
                        self.gk,
                        failure.reason,
                        self.poll_interval,
                    )
                self.polling += 1
                self.on_error(self.gk, "watch_forbidden")
                resource_version = None
                self._sleep(self.poll_interval)
            except StreamFailed as failure:
                if self.stopping.is_set():
                    return
                log.warning("watch %s: %s", self.gk, failure.reason)
                self.on_error(self.gk, "stream")
                self._sleep(self.backoff.next())
            except Exception as exc:  # a bug in one kind's loop must not stop the others
                log.exception("watch %s failed: %s", self.gk, exc)
                self.on_error(self.gk, "internal")
                self._sleep(self.backoff.next())


class Watcher:
    """One :class:`KindWatcher` per kind."""

    def __init__(
        self,
        kinds: Sequence[str],
        transport: Transport,
        store: StateStore,
        *,
        relist_interval: float = 600.0,
        on_error: ErrorHook | None = None,
    ) -> None:
        self.kinds = list(kinds)
        self.store = store
        self.transport = transport
        self.relist_interval = relist_interval
        self.on_error = on_error
        self.kind_watchers = [
            KindWatcher(gk, transport, store, relist_interval=relist_interval, on_error=on_error)
            for gk in self.kinds
        ]
        self._started = False

    def add(self, gk: str) -> None:
        """Watch one more kind (a CRD installed after the start)."""
        if gk in self.kinds:
            return
        kind_watcher = KindWatcher(
            gk, self.transport, self.store, relist_interval=self.relist_interval, on_error=self.on_error
        )
        self.kinds.append(gk)
        self.kind_watchers.append(kind_watcher)
        if self._started:
            kind_watcher.start()

    def start(self) -> None:
        self._started = True
        for kind_watcher in self.kind_watchers:
            kind_watcher.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop every loop; waits ``timeout`` seconds in all (the threads are daemons: a list still in flight
        ends with the process)."""
        for kind_watcher in self.kind_watchers:
            kind_watcher.stop()
        deadline = time.monotonic() + timeout
        for kind_watcher in self.kind_watchers:
            if kind_watcher.thread.is_alive():
                kind_watcher.thread.join(timeout=max(0.0, deadline - time.monotonic()))
