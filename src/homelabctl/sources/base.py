"""The one small interface every source implements, and the state it hands to checks."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Literal, Protocol

import msgspec

from homelabctl.sources.index import ClusterIndex

KindState = Literal["available", "absent", "forbidden", "not_installed", "error"]


class KindStatus(msgspec.Struct, frozen=True):
    state: KindState
    reason: str = ""

    @property
    def readable(self) -> bool:
        return self.state == "available"


class SourceInfo(msgspec.Struct, frozen=True):
    type: Literal["snapshot", "live", "demo"]
    name: str


class LoadError(msgspec.Struct, frozen=True):
    """Something that could not be read. The run goes on without it."""

    location: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.location}:{self.line}" if self.line else self.location
        return f"{where}: {self.message}"


class ClusterState(msgspec.Struct):
    """What checks see: the indexed objects plus what we know about what could not be read."""

    index: ClusterIndex
    source: SourceInfo
    kind_status: dict[str, KindStatus] = msgspec.field(default_factory=dict)
    errors: list[LoadError] = msgspec.field(default_factory=list)
    captured_at: datetime | None = None
    server_version: str | None = None
    api_server: str | None = None
    """The API server URL the data was read from (the capture manifest's ``source.server``), when known."""

    def availability(self, gk: str) -> KindStatus:
        """Explicit status from the source wins; otherwise a kind is readable iff objects of it were loaded."""
        status = self.kind_status.get(gk)
        if status is not None:
            return status
        if self.index.has(gk):
            return KindStatus("available")
        if self.source.type == "live":
            return KindStatus("not_installed", f"{gk} is not served by the API server")
        return KindStatus("absent", f"no {gk} objects in the snapshot")

    @property
    def reference_time(self) -> datetime:
        """'Now' for ages and durations: capture time, else the newest timestamp in the data, else now."""
        if self.captured_at is not None:
            return self.captured_at
        return self.index.newest_timestamp()


class Source(Protocol):
    info: SourceInfo

    def load(self, kinds: Collection[str]) -> ClusterState:
        """Read the cluster. ``kinds`` (group-kind strings) is what the checks need; a source may read more."""
        ...
