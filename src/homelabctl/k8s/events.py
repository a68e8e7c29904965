"""Events (core/v1 and events.k8s.io): reason, message, count and the time they were last seen."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from homelabctl.k8s._raw import Obj, integer, mapping, raw_of, section, text


class Event(msgspec.Struct, frozen=True):
    type: str
    reason: str
    message: str
    count: int
    last_seen: str
    """``series.lastObservedTime``, else ``lastTimestamp``, else ``eventTime``, else creation time."""
    source_host: str = ""
    """``source.host`` (core/v1): the node that reported it."""
    involved: tuple[str, str | None, str] = ("", None, "")
    """(kind, namespace, name) of ``involvedObject`` (core/v1) or ``regarding`` (events.k8s.io/v1)."""


def event(obj: Obj) -> Event:
    raw = raw_of(obj)
    series = mapping(raw.get("series"))
    last_seen = (
        text(series.get("lastObservedTime"))
        or text(raw.get("lastTimestamp"))
        or text(raw.get("eventTime"))
        or text(section(raw, "metadata").get("creationTimestamp"))
    )
    count = integer(raw.get("count")) or integer(series.get("count")) or 1
    return Event(
        text(raw.get("type"), "Normal") or "Normal",
        text(raw.get("reason")),
        text(raw.get("message")) or text(raw.get("note")),
        count,
        last_seen,
        text(mapping(raw.get("source")).get("host")),
        _involved(raw),
    )


def _involved(raw: Mapping[str, Any]) -> tuple[str, str | None, str]:
    ref = mapping(raw.get("involvedObject")) or mapping(raw.get("regarding"))
    return text(ref.get("kind")), text(ref.get("namespace")) or None, text(ref.get("name"))
