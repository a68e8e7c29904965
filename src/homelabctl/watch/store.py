"""The watched cluster in memory: objects per kind, each kind's readability, and a generation counter that
moves on every change.

The store knows nothing about HTTP: a :class:`~homelabctl.watch.watcher.Watcher` feeds it from the API
server, a test feeds it from a list of events. :meth:`StateStore.state` hands the checks the same
:class:`ClusterState` a snapshot or a one-off live read gives them.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from homelabctl.k8s import revisions
from homelabctl.model import Resource
from homelabctl.sources.base import ClusterState, KindStatus, SourceInfo
from homelabctl.sources.index import ClusterIndex
from homelabctl.timeutil import utcnow

EventType = Literal["ADDED", "MODIFIED", "DELETED"]
Key = tuple[str | None, str]


INTERN_MAX = 64
"""Strings up to this long are shared between objects: keys, condition types and reasons, label values,
namespaces, images repeat across thousands of objects (a third of a parsed cluster's memory)."""
_MAX_DEPTH = 64


def _share(value: Any, depth: int = 0) -> None:
    """Intern short string values in place (no new dicts or lists: copying a parsed object would leave its
    old self as holes in the allocator's pools). Keys are already shared by the JSON parser within a page."""
    if depth > _MAX_DEPTH:  # deeper than any Kubernetes object: left as parsed
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                if len(item) <= INTERN_MAX:
                    value[key] = sys.intern(item)
            elif isinstance(item, dict | list):
                _share(item, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                if len(item) <= INTERN_MAX:
                    value[index] = sys.intern(item)
            elif isinstance(item, dict | list):
                _share(item, depth + 1)


def prepare(raw: dict[str, Any]) -> Resource | None:
    """Redact and slim one object as it arrives: what a capture would write (``managedFields`` alone is often
    half of an object), with repeated strings shared, so memory follows the snapshot's size."""
    from homelabctl.live.capture import scrub

    if not revisions.has_name(raw):
        return None
    raw = scrub(raw)
    _share(raw)
    return Resource.from_raw(raw)


def _key(res: Resource) -> Key:
    return (res.namespace, res.name)


class StateStore:
    """Thread-safe. Writers: one watcher per kind. Reader: the evaluator, through :meth:`state`."""

    def __init__(
        self, source: SourceInfo, kinds: Iterable[str] = (), *, server_version: str | None = None
    ) -> None:
        self.source = source
        self.server_version = server_version
        self.clock_offset = timedelta(0)
        """API server clock minus ours: ages are measured on the clock that wrote the timestamps."""
        self._objects: dict[str, dict[Key, Resource]] = {gk: {} for gk in kinds}
        self._status: dict[str, KindStatus] = {}
        self._synced: set[str] = set()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.generation = 0
        self.closed = False

    # -- writes ------------------------------------------------------------------------------------------
    def _bump(self) -> None:
        self.generation += 1
        self._changed.notify_all()

    def replace(self, gk: str, raws: Iterable[dict[str, Any]]) -> None:
        """A full list of ``gk``: the kind is readable and holds exactly these objects."""
        fresh: dict[Key, Resource] = {}
        for raw in raws:
            res = prepare(raw)
            if res is not None:
                fresh[_key(res)] = res
        with self._lock:
            previous = self._objects.get(gk)
            status = self._status.get(gk)
            self._objects[gk] = fresh
            self._status[gk] = KindStatus("available")
            self._synced.add(gk)
            unchanged = (
                status is not None and status.readable and previous is not None and _same(previous, fresh)
            )
            if not unchanged:
                self._bump()

    def apply(self, gk: str, event: EventType, raw: dict[str, Any]) -> bool:
        """One watch event. Returns whether the state changed."""
        res = prepare(raw)
        if res is None:
            return False
        with self._lock:
            objects = self._objects.setdefault(gk, {})
            key = _key(res)
            if event == "DELETED":
                if objects.pop(key, None) is None:
                    return False
            else:
                current = objects.get(key)
                if current is not None and _rv(current) == _rv(res) and _rv(res):
                    return False
                objects[key] = res
            self._bump()
            return True

    def load(self, state: ClusterState) -> None:
        """Every object and kind status of an already loaded (redacted) state: a snapshot to watch."""
        with self._lock:
            for res in state.index:
                self._objects.setdefault(res.gk, {})[_key(res)] = res
            for gk in list(self._objects):
                self._status[gk] = state.availability(gk)
                self._synced.add(gk)
            self._bump()

    def set_status(self, gk: str, status: KindStatus) -> None:
        """A kind that cannot be read (forbidden, not installed, failing): its checks become not evaluated
        and its objects are forgotten, never shown as if current."""
        with self._lock:
            if self._status.get(gk) == status and gk in self._synced:
                return
            self._status[gk] = status
            self._synced.add(gk)
            if not status.readable:
                self._objects[gk] = {}
            self._bump()

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._changed.notify_all()

    # -- reads -------------------------------------------------------------------------------------------
    def wait_for_change(self, since: int, timeout: float | None) -> int:
        """Block until the generation moves past ``since`` (or the timeout, or close). Returns the generation."""
        with self._lock:
            if self.generation == since and not self.closed:
                self._changed.wait(timeout)
            return self.generation

    @property
    def kinds(self) -> list[str]:
        with self._lock:
            return sorted(self._objects)

    def synced(self, kinds: Iterable[str]) -> bool:
        """Every kind listed (or known unreadable) at least once: the first evaluation means something."""
        with self._lock:
            return all(gk in self._synced for gk in kinds)

    def status(self, gk: str) -> KindStatus | None:
        with self._lock:
            return self._status.get(gk)

    def count(self) -> int:
        with self._lock:
            return sum(len(objects) for objects in self._objects.values())

    def now(self) -> datetime:
        return utcnow() + self.clock_offset

    def state(self) -> tuple[ClusterState, int]:
        """The current objects as a ClusterState, and the generation it shows."""
        with self._lock:
            generation = self.generation
            resources = [res for objects in self._objects.values() for res in objects.values()]
            statuses = dict(self._status)
        index = ClusterIndex(resources)
        state = ClusterState(
            index=index,
            source=self.source,
            kind_status=statuses,
            captured_at=self.now(),
            server_version=self.server_version,
        )
        return state, generation


def _rv(res: Resource) -> str:
    return revisions.resource_version(res)


def _same(old: Mapping[Key, Resource], new: Mapping[Key, Resource]) -> bool:
    """Same keys at the same resourceVersions: a periodic re-list that found nothing new."""
    if old.keys() != new.keys():
        return False
    return all(_rv(old[key]) == _rv(res) and _rv(res) for key, res in new.items())
