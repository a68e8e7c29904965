"""What ``snapshot serve`` serves: the current object set and a stream of changes to it.

The HTTP server and the API logic (:mod:`homelabctl.live.server`) only ever talk to an :class:`ObjectFeed`:

- ``state`` is the current object set (a :class:`ClusterState`: objects, what could not be read, the time);
- ``resource_version`` is the revision of that set (what list responses carry in ``metadata``);
- ``generation`` changes whenever ``state`` is replaced, so per-kind caches know to start again;
- ``changes(gk, since)`` yields :class:`Change` events for one kind after revision ``since``. It ends when the
  feed has nothing more to say: a static snapshot never changes, so its stream is empty and a watch on it
  sends the current objects as ADDED events and then ends.

A timeline (a sequence of snapshots served as watch events) implements the same protocol: ``state`` is the
snapshot at the current step, and ``changes`` awaits the next steps, yielding ADDED/MODIFIED/DELETED for
the objects that differ (with increasing resource versions), and ends at the last step.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Literal, Protocol

import msgspec

from homelabctl.k8s import revisions
from homelabctl.model import Resource
from homelabctl.sources.base import ClusterState

ChangeType = Literal["ADDED", "MODIFIED", "DELETED"]


class Change(msgspec.Struct, frozen=True):
    """One watch event: what happened to which object, at which revision of the object set."""

    type: ChangeType
    resource: Resource
    resource_version: int


class ObjectFeed(Protocol):
    @property
    def state(self) -> ClusterState:
        """The current object set."""
        ...

    @property
    def resource_version(self) -> int:
        """The revision of ``state``."""
        ...

    @property
    def generation(self) -> int:
        """Changes whenever ``state`` is replaced."""
        ...

    def changes(self, gk: str, since: int) -> AsyncIterator[Change]:
        """Changes to objects of ``gk`` after revision ``since``; ends when there will be no more."""
        ...


def max_resource_version(state: ClusterState) -> int:
    best = 1
    for res in state.index:
        text = revisions.resource_version(res) or "0"
        if text.isdigit() and len(text) <= 19:  # etcd revisions are int64; anything else is opaque
            best = max(best, int(text))
    return best


class StaticFeed:
    """One snapshot: the object set never changes, so the stream of changes is empty."""

    def __init__(self, state: ClusterState) -> None:
        self._state = state
        self._resource_version = max_resource_version(state)

    @property
    def state(self) -> ClusterState:
        return self._state

    @property
    def resource_version(self) -> int:
        return self._resource_version

    @property
    def generation(self) -> int:
        return 0

    async def changes(self, gk: str, since: int) -> AsyncIterator[Change]:
        return
        yield  # an async generator that yields nothing
