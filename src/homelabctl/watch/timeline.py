"""A timeline of snapshots served as a changing Kubernetes API: what ``watch`` is tested and measured
against without a cluster.

:class:`TimelineApi` wraps the read-only :class:`~homelabctl.live.server.SnapshotApi` of the current step
(discovery, lists, gets, tables are all its) and adds what a snapshot cannot have: change. Moving to the next
step diffs the two states into ADDED/MODIFIED/DELETED events with increasing resourceVersions; watch
requests stream those events (blocking until there are some, ending at ``timeoutSeconds``), send BOOKMARKs
when asked, and answer ``410 Gone`` for a resourceVersion older than what was :meth:`compact`-ed — the three
things a real API server's watch does that a reflector must handle.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homelabctl.live.server import ApiError, Response, ServerThread, SnapshotApi
from homelabctl.model import Resource
from homelabctl.sources.base import ClusterState
from homelabctl.sources.index import ClusterIndex

Key = tuple[str, str | None, str]


@dataclass(frozen=True, slots=True)
class Change:
    rv: int
    gk: str
    type: str
    raw: Mapping[str, Any]

    @property
    def namespace(self) -> str | None:
        return (self.raw.get("metadata") or {}).get("namespace") or None


def _json(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def _comparable(raw: Mapping[str, Any]) -> Any:
    meta = {k: v for k, v in (raw.get("metadata") or {}).items() if k != "resourceVersion"}
    return {**raw, "metadata": meta}


class TimelineApi:
    """Duck-types the part of SnapshotApi the HTTP server uses: ``handle``, ``target``, ``now``."""

    def __init__(self, first: ClusterState, *, bookmark_every: float = 0.0) -> None:
        self._cond = threading.Condition()
        self._closed = False
        self.changes: list[Change] = []
        self.compacted = 0
        self.bookmark_every = bookmark_every
        self.watch_requests = 0
        self._api = SnapshotApi(first)
        self.rv = self._api.resource_version
        self._objects: dict[Key, Resource] = {(r.gk, r.namespace, r.name): r for r in first.index}
        self._state = first
        self._started = time.monotonic()
        self._base_now = self._api.now

    # -- what the HTTP layer reads ---------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        """The snapshot's time, moving forward with the wall clock: durations grow as in a real cluster."""
        return self._base_now + timedelta(seconds=time.monotonic() - self._started)

    @property
    def api(self) -> SnapshotApi:
        return self._api

    def target(self, path: str, query: Mapping[str, str]) -> Any:
        return self._api.target(path, query)

    def handle(self, method: str, path: str, query: Mapping[str, str], accept: str) -> Response:
        api = self._api
        api.now = self.now
        try:
            target = api.target(path, query) if method == "GET" else None
        except ApiError:
            target = None
        if target is None or not target.watch:
            return api.handle(method, path, query, accept)
        try:
            api._check_access(target)
        except ApiError as error:
            return Response(error.code, _json(error.status()))
        self.watch_requests += 1
        start_text = query.get("resourceVersion", "")
        timeout = min(float(query.get("timeoutSeconds") or 60), 600.0)
        bookmarks = query.get("allowWatchBookmarks", "") in ("true", "1")
        gk, namespace = target.served.gk, target.namespace
        if start_text in ("", "0"):
            initial = [r for r in api.objects(gk) if namespace is None or r.namespace == namespace]
            since = self.rv
        else:
            initial = []
            try:
                since = int(start_text)
            except ValueError:
                return Response(400, _json(ApiError(400, "BadRequest", f"invalid resourceVersion {start_text!r}")
                                           .status()))
        return Response(200, b"", stream=self._stream(gk, namespace, since, initial, timeout, bookmarks))

    def _stream(self, gk: str, namespace: str | None, since: int, initial: Sequence[Resource], timeout: float,
                bookmarks: bool) -> Iterator[bytes]:
        for res in initial:
            yield _json({"type": "ADDED", "object": res.raw}) + b"\n"
        if since < self.compacted:
            yield _json({"type": "ERROR", "object": {
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": f"too old resource version: {since} ({self.compacted})", "reason": "Expired",
                "code": 410}}) + b"\n"
            return
        deadline = time.monotonic() + timeout
        last_bookmark = time.monotonic()
        seen = since
        while True:
            with self._cond:
                while True:
                    pending = [c for c in self.changes if c.rv > seen and c.gk == gk
                               and (namespace is None or c.namespace == namespace)]
                    remaining = deadline - time.monotonic()
                    if pending or self._closed or remaining <= 0:
                        break
                    if bookmarks and self.bookmark_every and \
                            time.monotonic() - last_bookmark >= self.bookmark_every:
                        break
                    wait = remaining if not (bookmarks and self.bookmark_every) else min(
                        remaining, self.bookmark_every - (time.monotonic() - last_bookmark))
                    self._cond.wait(max(0.01, wait))
                current_rv = self.rv
            if self._closed:
                return
            for change in pending:
                seen = change.rv
                yield _json({"type": change.type, "object": change.raw}) + b"\n"
            if not pending and bookmarks and self.bookmark_every and \
                    time.monotonic() - last_bookmark >= self.bookmark_every:
                last_bookmark = time.monotonic()
                yield _json({"type": "BOOKMARK", "object": {
                    "kind": gk.partition(".")[0], "apiVersion": "v1",
                    "metadata": {"resourceVersion": str(current_rv)}}}) + b"\n"
                seen = max(seen, current_rv)
            if time.monotonic() >= deadline:
                return

    # -- moving time -------------------------------------------------------------------------------------------
    def advance(self, step: ClusterState) -> list[Change]:
        """Make ``step`` the cluster: every difference from the current state becomes a watch event."""
        with self._cond:
            new_objects: dict[Key, Resource] = {}
            changes: list[Change] = []
            for res in step.index:
                key = (res.gk, res.namespace, res.name)
                old = self._objects.get(key)
                if old is not None and _comparable(old.raw) == _comparable(res.raw):
                    new_objects[key] = old
                    continue
                self.rv += 1
                raw = copy.deepcopy(dict(res.raw))
                raw.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
                fresh = Resource.from_raw(raw)
                new_objects[key] = fresh
                changes.append(Change(self.rv, res.gk, "ADDED" if old is None else "MODIFIED", raw))
            for key, old in self._objects.items():
                if key not in new_objects:
                    self.rv += 1
                    raw = copy.deepcopy(dict(old.raw))
                    raw.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
                    changes.append(Change(self.rv, key[0], "DELETED", raw))
            state = ClusterState(index=ClusterIndex(new_objects.values()), source=step.source,
                                 kind_status=dict(step.kind_status), errors=list(step.errors),
                                 captured_at=self._state.captured_at, server_version=step.server_version)
            api = SnapshotApi(state)
            api.resource_version = self.rv
            self._api, self._objects, self._state = api, new_objects, state
            self.changes.extend(changes)
            self._cond.notify_all()
            return changes

    def compact(self) -> None:
        """Forget the event history, as etcd compaction does: older resourceVersions answer 410 Gone."""
        with self._cond:
            self.compacted = self.rv
            self.changes.clear()
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class TimelineServer:
    """``with TimelineServer(first_state) as server: server.url; server.api.advance(next_state)``."""

    def __init__(self, first: ClusterState, *, host: str = "127.0.0.1", port: int = 0,
                 bookmark_every: float = 0.0) -> None:
        self.api = TimelineApi(first, bookmark_every=bookmark_every)
        self._thread = ServerThread(self.api, host=host, port=port)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        return self._thread.url

    def __enter__(self) -> TimelineServer:
        self._thread.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.api.close()
        self._thread.__exit__(*exc)
