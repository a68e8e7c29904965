"""Incident records in the After Action Review shape of the CLUSTER-SETUP "AAR Log"."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

import msgspec

from homelabctl.errors import InputError

PRIORITIES = ("P0", "P1", "P2", "P3")
Priority = Literal["P0", "P1", "P2", "P3"]
IncidentStatus = Literal["open", "closed"]
ActionStatus = Literal["open", "done"]

_LABELLED_RE = re.compile(r"^\s*\[([^\]]{1,40})\]\s*(\S.*)$", re.DOTALL)
_TIMELINE_RE = re.compile(
    r"^\s*(\d{1,2}:\d{2}(?::\d{2})?|\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2})\s+(\S.*)$", re.DOTALL
)


class TimelineEntry(msgspec.Struct, frozen=True):
    time: str
    """Free text the user gave ("14:05", "2025-06-14 09:30"); empty when the entry has no time."""
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"time": self.time, "text": self.text}


class ActionItem(msgspec.Struct, frozen=True):
    text: str
    owner: str = ""
    priority: Priority = "P2"
    status: ActionStatus = "open"

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "owner": self.owner, "priority": self.priority, "status": self.status}


class Incident(msgspec.Struct, frozen=True):
    id: int
    title: str
    date: str
    """ISO date (YYYY-MM-DD) of the incident, rendered "June 14, 2025" in the AAR."""
    severity: Priority
    status: IncidentStatus = "open"
    what_happened: str = ""
    direct_cause: str = ""
    timeline: tuple[TimelineEntry, ...] = ()
    contributing_factors: tuple[str, ...] = ()
    went_well: tuple[str, ...] = ()
    could_improve: tuple[str, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    lessons: tuple[str, ...] = ()
    root_causes: tuple[dict[str, Any], ...] = ()
    """Root causes attached by ``incident new --from-check`` (report ``root_causes`` entries, trimmed)."""
    snapshot_ref: dict[str, Any] | None = None
    """Where the attached root causes came from: source, paths, sha256 of the loaded (redacted) objects."""
    created_at: str = ""
    updated_at: str = ""
    closed_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date,
            "severity": self.severity,
            "status": self.status,
            "what_happened": self.what_happened,
            "timeline": [t.to_dict() for t in self.timeline],
            "direct_cause": self.direct_cause,
            "contributing_factors": list(self.contributing_factors),
            "went_well": list(self.went_well),
            "could_improve": list(self.could_improve),
            "action_items": [a.to_dict() for a in self.action_items],
            "lessons": list(self.lessons),
            "root_causes": list(self.root_causes),
            "snapshot": self.snapshot_ref,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "closed_at": self.closed_at,
        }


class IncidentDraft(msgspec.Struct):
    """What a user supplies to create an incident (options, or the $EDITOR template)."""

    title: str
    severity: Priority = "P2"
    date: str = msgspec.field(default_factory=lambda: date.today().isoformat())
    what_happened: str = ""
    direct_cause: str = ""
    timeline: list[TimelineEntry] = msgspec.field(default_factory=list)
    contributing_factors: list[str] = msgspec.field(default_factory=list)
    went_well: list[str] = msgspec.field(default_factory=list)
    could_improve: list[str] = msgspec.field(default_factory=list)
    action_items: list[ActionItem] = msgspec.field(default_factory=list)
    lessons: list[str] = msgspec.field(default_factory=list)
    root_causes: list[dict[str, Any]] = msgspec.field(default_factory=list)
    snapshot_ref: dict[str, Any] | None = None

    def validate(self) -> None:
        if not self.title.strip():
            raise InputError("an incident needs a title")
        check_priority(self.severity, "severity")
        check_date(self.date)
        for item in self.action_items:
            check_priority(item.priority, "action priority")
            if not item.text.strip():
                raise InputError("an action item needs text")


def check_priority(value: str, what: str) -> Priority:
    if value not in PRIORITIES:
        raise InputError(f"{what} must be one of {', '.join(PRIORITIES)}, not {value!r}")
    return value  # type: ignore[return-value]


def check_date(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise InputError(f"date must be YYYY-MM-DD, not {value!r}") from None
    return value


def parse_timeline(text: str) -> TimelineEntry:
    """``"14:05 Longhorn pods CrashLoopBackOff"`` → (14:05, text); ``"[June 14 AM] text"`` → (June 14 AM, text);
    text without a leading time keeps no time (entries such as "Detection: ...")."""
    stripped = text.strip()
    if not stripped:
        raise InputError("a timeline entry needs text")
    match = _LABELLED_RE.match(stripped) or _TIMELINE_RE.match(stripped)
    if match:
        return TimelineEntry(match.group(1), match.group(2).strip())
    return TimelineEntry("", stripped)
