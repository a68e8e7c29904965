"""A timeline of snapshots served as a changing Kubernetes API: what ``watch`` is tested and measured
against without a cluster.

:class:`TimelineFeed` is an :class:`~homelabctl.live.feed.ObjectFeed` for ``snapshot serve``'s API: ``state``
is the current step, and :meth:`TimelineFeed.advance` diffs the next step against it into ADDED, MODIFIED and
DELETED changes with increasing resourceVersions, which every open watch receives. A watch stream ends after
``stream_timeout`` seconds, as a real API server's does at ``timeoutSeconds``, so clients resume from the
last resourceVersion they saw.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Mapping
from typing import Any

from homelabctl.k8s import revisions
from homelabctl.live.feed import Change, max_resource_version
from homelabctl.live.server import ServerThread, SnapshotApi
from homelabctl.model import Resource
from homelabctl.sources.base import ClusterState
from homelabctl.sources.index import ClusterIndex

Key = tuple[str, str | None, str]


def _comparable(raw: Mapping[str, Any]) -> Any:
    return revisions.without_resource_version(raw)


class TimelineFeed:
    def __init__(self, first: ClusterState, *, stream_timeout: float = 300.0) -> None:
        self._state = first
        self._rv = max_resource_version(first)
        self._generation = 0
        self._objects: dict[Key, Resource] = {(r.gk, r.namespace, r.name): r for r in first.index}
        self._log: list[Change] = []
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._closed = False
        self.stream_timeout = stream_timeout

    # -- ObjectFeed ------------------------------------------------------------------------------------------
    @property
    def state(self) -> ClusterState:
        return self._state

    @property
    def resource_version(self) -> int:
        return self._rv

    @property
    def generation(self) -> int:
        return self._generation

    async def changes(self, gk: str, since: int) -> AsyncIterator[Change]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.stream_timeout
        seen = since
        while True:
            with self._lock:
                if self._closed:
                    return
                pending = [c for c in self._log if c.resource_version > seen and c.resource.gk == gk]
                waiter: asyncio.Future[None] | None = None
                if not pending:
                    waiter = loop.create_future()
                    self._waiters.append((loop, waiter))
            for change in pending:
                seen = change.resource_version
                yield change
            if waiter is None:
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                return

    # -- moving time -------------------------------------------------------------------------------------------
    def advance(self, step: ClusterState) -> list[Change]:
        """Make ``step`` the cluster; returns the changes every watch receives. Thread-safe."""
        with self._lock:
            new_objects: dict[Key, Resource] = {}
            changes: list[Change] = []
            for res in step.index:
                key = (res.gk, res.namespace, res.name)
                old = self._objects.get(key)
                if old is not None and _comparable(old.raw) == _comparable(res.raw):
                    new_objects[key] = old
                    continue
                self._rv += 1
                fresh = _at(res, self._rv)
                new_objects[key] = fresh
                changes.append(Change("ADDED" if old is None else "MODIFIED", fresh, self._rv))
            for key, old in self._objects.items():
                if key not in new_objects:
                    self._rv += 1
                    changes.append(Change("DELETED", _at(old, self._rv), self._rv))
            self._state = ClusterState(
                index=ClusterIndex(new_objects.values()),
                source=step.source,
                kind_status=dict(step.kind_status),
                errors=list(step.errors),
                captured_at=self._state.captured_at,
                server_version=step.server_version,
            )
            self._objects = new_objects
            self._generation += 1
            self._log.extend(changes)
            self._wake()
            return changes

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._wake()

    def _wake(self) -> None:
        for loop, waiter in self._waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(_resolve, waiter)
        self._waiters.clear()


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _at(res: Resource, rv: int) -> Resource:
    return Resource.from_raw(revisions.with_resource_version(res, rv))


class TimelineServer:
    """``with TimelineServer(first_state) as server: server.url; server.feed.advance(next_state)``."""

    def __init__(
        self, first: ClusterState, *, host: str = "127.0.0.1", port: int = 0, stream_timeout: float = 300.0
    ) -> None:
        self.feed = TimelineFeed(first, stream_timeout=stream_timeout)
        self.api = SnapshotApi(self.feed)
        self._thread = ServerThread(self.api, host=host, port=port)

    @property
    def url(self) -> str:
        return self._thread.url

    def advance(self, step: ClusterState) -> list[Change]:
        return self.feed.advance(step)

    def __enter__(self) -> TimelineServer:
        self._thread.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.feed.close()
        self._thread.__exit__(*exc)
