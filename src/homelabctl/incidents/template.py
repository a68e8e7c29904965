"""The YAML template ``incident new`` opens in $EDITOR, and reading it back into a draft."""

from __future__ import annotations

from typing import Any

import yaml

from homelabctl.errors import InputError
from homelabctl.incidents.model import (
    ActionItem,
    IncidentDraft,
    TimelineEntry,
    check_priority,
    parse_timeline,
)

FIELDS = (
    "title",
    "severity",
    "date",
    "what_happened",
    "timeline",
    "direct_cause",
    "contributing_factors",
    "went_well",
    "could_improve",
    "action_items",
    "lessons",
)


def _quoted(text: str) -> str:
    return yaml.safe_dump(text, default_style='"', width=10_000).strip().removesuffix("\n...")


def render_template(draft: IncidentDraft) -> str:
    """A commented template prefilled from ``draft`` (options given on the command line, --from-check)."""

    def block(items: list[str]) -> str:
        return "".join(f"\n  - {_quoted(item)}" for item in items) if items else " []"

    actions = (
        "".join(
            f"\n  - {{text: {_quoted(a.text)}, owner: {_quoted(a.owner)}, priority: {a.priority}}}"
            for a in draft.action_items
        )
        or '\n  # - {text: "Add node network monitoring", owner: "AI Team", priority: P1}'
    )
    timeline = (
        "".join(f"\n  - {_quoted(timeline_text(e))}" for e in draft.timeline)
        or "\n  # - \"09:40 Longhorn pods in CrashLoopBackOff with 'context deadline exceeded'\""
    )
    what = "".join(f"\n  {line}" for line in draft.what_happened.splitlines()) or "\n  "
    return (
        "# New incident (AAR). Fill in what you know now; `homelabctl incident update` adds the rest.\n"
        "# Save and quit to record it. An empty title cancels.\n"
        "# severity: P0 outage / data at risk, P1 major, P2 degraded, P3 minor.\n"
        f"title: {_quoted(draft.title)}\n"
        f"severity: {draft.severity}\n"
        f"date: {_quoted(draft.date)}\n"
        f"what_happened: |{what}\n"
        f'timeline:  # "HH:MM what happened" or "[June 14 AM] what happened", oldest first{timeline}\n'
        f"direct_cause: {_quoted(draft.direct_cause)}\n"
        f"contributing_factors:{block(draft.contributing_factors)}\n"
        f"went_well:{block(draft.went_well)}\n"
        f"could_improve:{block(draft.could_improve)}\n"
        f"action_items:  # priority P0..P3{actions}\n"
        f"lessons:{block(draft.lessons)}\n"
    )


def timeline_text(entry: TimelineEntry) -> str:
    """The command-line form of an entry, which parse_timeline reads back to the same entry."""
    if not entry.time:
        return entry.text
    return (
        f"{entry.time} {entry.text}"
        if parse_timeline(f"{entry.time} x").time == entry.time
        else f"[{entry.time}] {entry.text}"
    )


def _strings(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise InputError(f"incident template: {key} must be a list of strings")
    return [str(v) for v in value if str(v).strip()]


def parse_template(text: str, base: IncidentDraft) -> IncidentDraft | None:
    """The edited template as a draft, or None when the title was left empty (the user cancelled).

    ``base`` carries what the template cannot express (root causes and snapshot from --from-check).
    """
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1})" if mark else ""
        raise InputError(f"incident template: invalid YAML{where}: {exc.problem}") from None
    if data is None:
        return None
    if not isinstance(data, dict):
        raise InputError("incident template: expected the fields of the template, found something else")
    unknown = sorted(str(k) for k in data if k not in FIELDS)
    if unknown:
        raise InputError(f"incident template: unknown field(s) {', '.join(unknown)}")
    title = str(data.get("title") or "").strip()
    if not title:
        return None
    actions: list[ActionItem] = []
    for item in data.get("action_items") or []:
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict) or not str(item.get("text") or "").strip():
            raise InputError("incident template: each action item needs text (text, owner, priority)")
        priority = check_priority(str(item.get("priority") or "P2"), "action priority")
        actions.append(ActionItem(str(item["text"]).strip(), str(item.get("owner") or "").strip(), priority))
    draft = IncidentDraft(
        title=title,
        severity=check_priority(str(data.get("severity") or base.severity), "severity"),
        date=str(data.get("date") or base.date),
        what_happened=str(data.get("what_happened") or "").strip(),
        direct_cause=str(data.get("direct_cause") or "").strip(),
        timeline=[parse_timeline(t) for t in _strings(data, "timeline")],
        contributing_factors=_strings(data, "contributing_factors"),
        went_well=_strings(data, "went_well"),
        could_improve=_strings(data, "could_improve"),
        action_items=actions,
        lessons=_strings(data, "lessons"),
        root_causes=base.root_causes,
        snapshot_ref=base.snapshot_ref,
    )
    draft.validate()
    return draft
