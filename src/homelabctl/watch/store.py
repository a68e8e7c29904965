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
namespaces, images repeat across thousands of objects."""
_MAX_DEPTH = 64
_SWEEP_MIN = 4096


class Parts:
    """Equal parts of objects held once: the store's objects are trees of dicts and lists (two thirds of a
    parsed cluster's memory is the dicts), and most of those subtrees repeat — a pod's tolerations, its
    containers' resources and ports, the conditions of every healthy pod, a ReplicaSet's template, the
    selector and labels a Deployment, its ReplicaSets, pods and Service all carry. Each arriving object is
    rebuilt bottom-up onto the parts already held, so a subtree equal (same keys in the same order, values of
    the same JSON types) to one already held becomes that one, and the arriving copy is freed at once.

    Sound because stored objects are never mutated (``model.Resource``: redaction runs before this, checks and
    readers only read), and equal parts are interchangeable for every reader, ``json.dumps`` included.

    The table is keyed by a hash of each part's items, its sub-parts by identity (they are already shared),
    and confirmed by a shallow comparison before sharing. A part no stored object uses any more is dropped by
    :meth:`sweep`, run when the table has doubled since the last one (amortised: a cluster that churns Events
    does not grow it without bound)."""

    def __init__(self) -> None:
        self._table: dict[int, dict[str, Any] | list[Any]] = {}
        self._lock = threading.Lock()
        self._kept = 0

    def __len__(self) -> int:
        return len(self._table)

    def share(self, raw: dict[str, Any]) -> None:
        """In place, on a freshly parsed object not yet visible to anyone else. The object itself and its
        ``metadata`` (name, uid: never equal to another object's) are not held, their parts are."""
        with self._lock:
            for key, value in raw.items():
                kind = type(value)
                if kind is str:
                    if len(value) <= INTERN_MAX:
                        raw[key] = sys.intern(value)
                elif key == "metadata" and kind is dict:
                    self._children(value, 1)
                elif kind is dict or kind is list:
                    shared = self._part(value, 1)
                    if shared is not value:
                        raw[key] = shared
            if len(self._table) > 2 * self._kept + _SWEEP_MIN:
                self._sweep()

    def sweep(self) -> int:
        """Drop the parts no stored object uses any more. Returns how many are left."""
        with self._lock:
            return self._sweep()

    def _sweep(self) -> int:
        table = self._table
        # Newest first: a part is always added after its sub-parts, so dropping a part releases its
        # sub-parts before they are looked at. The references left to an unused part: the table's, the
        # local name's and getrefcount's own argument.
        for key in reversed(list(table)):
            part = table[key]
            if sys.getrefcount(part) <= 3:
                del table[key]
            del part
        self._kept = len(table)
        return self._kept

    def _children(self, node: dict[str, Any], depth: int) -> list[Any]:
        """Share ``node``'s values in place; returns the items hashed for ``node`` itself."""
        items: list[Any] = []
        for key, value in node.items():
            kind = type(value)
            if kind is str:
                if len(value) <= INTERN_MAX:
                    value = node[key] = sys.intern(value)
                items += (key, value)
            elif kind is dict or kind is list:
                shared = self._part(value, depth + 1)
                if shared is not value:
                    node[key] = shared
                items += (key, id(shared))
            else:
                items += (key, value)
        return items

    def _part(self, node: dict[str, Any] | list[Any], depth: int) -> dict[str, Any] | list[Any]:
        if depth > _MAX_DEPTH:  # deeper than any Kubernetes object: left as parsed, never held
            return node
        if type(node) is dict:
            items = self._children(node, depth)
            items.append("{")
        else:
            items = []
            for index, value in enumerate(node):
                kind = type(value)
                if kind is str:
                    if len(value) <= INTERN_MAX:
                        value = node[index] = sys.intern(value)  # type: ignore[index]
                    items.append(value)
                elif kind is dict or kind is list:
                    shared = self._part(value, depth + 1)
                    if shared is not value:
                        node[index] = shared  # type: ignore[index]
                    items.append(id(shared))
                else:
                    items.append(value)
            items.append("[")
        key = hash(tuple(items))
        held = self._table.get(key)
        if held is None:
            self._table[key] = node
            return node
        return held if _same_part(held, node) else node


def _same_value(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if type(a) is not type(b) or type(a) in (dict, list):  # sub-parts are shared: equal ones are the same
        return False
    return repr(a) == repr(b) if type(a) is float else bool(a == b)  # -0.0 == 0.0


def _same_part(held: dict[str, Any] | list[Any], new: dict[str, Any] | list[Any]) -> bool:
    """Equal as JSON (1, 1.0 and True are equal in Python, not in JSON), given that the sub-parts of both
    are already shared."""
    if type(held) is not type(new) or len(held) != len(new):
        return False
    if isinstance(held, dict) and isinstance(new, dict):
        return all(
            ka == kb and _same_value(va, vb)
            for (ka, va), (kb, vb) in zip(held.items(), new.items(), strict=True)
        )
    return all(_same_value(va, vb) for va, vb in zip(held, new, strict=True))


def prepare(raw: dict[str, Any], parts: Parts | None = None) -> Resource | None:
    """Redact and slim one object as it arrives: what a capture would write (``managedFields`` alone is often
    half of an object), with its repeated parts shared, so memory follows the snapshot's size."""
    from homelabctl.live.capture import scrub

    if not revisions.has_name(raw):
        return None
    raw = scrub(raw)
    (Parts() if parts is None else parts).share(raw)
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
        self.parts = Parts()
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
            res = prepare(raw, self.parts)
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
        res = prepare(raw, self.parts)
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
