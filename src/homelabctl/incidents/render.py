"""Incidents rendered in the After Action Review structure of the CLUSTER-SETUP "AAR Log", and as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from homelabctl.incidents.model import ActionItem, Incident

JSON_SCHEMA_ID = "homelabctl.incident/v1"


def human_date(iso: str) -> str:
    """``2025-06-14`` → ``June 14, 2025`` (the AAR heading format); anything else is left as written."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day:%B} {day.day}, {day.year}"


def _action_line(action: ActionItem) -> str:
    # An action reads "(Owner: AI Team, Priority: P1)" while open and "(Owner: AI Team, Complete)" once
    # done; items without an owner just carry the priority.
    parts = [f"Owner: {action.owner}"] if action.owner else []
    parts.append("Complete" if action.status == "done" else f"Priority: {action.priority}")
    return f"- **Action:** {action.text} ({', '.join(parts)})"


def render_aar(incident: Incident) -> str:
    lines = [f"### AAR: {incident.title} ({human_date(incident.date)})", ""]
    lines.append(f"**1. What Happened:** {incident.what_happened or '_Not recorded yet._'}")
    lines += ["", "**2. Timeline:**"]
    for entry in incident.timeline:
        lines.append(f"- **{entry.time}**: {entry.text}" if entry.time else f"- {entry.text}")
    if not incident.timeline:
        lines.append("- _No entries yet._")
    lines += [
        "",
        "**3. Root Cause Analysis:**",
        f"- **Direct Cause:** {incident.direct_cause or '_Not determined yet._'}",
    ]
    factors = incident.contributing_factors
    if len(factors) == 1:
        lines.append(f"- **Contributing Factors:** {factors[0]}")
    elif factors:
        lines.append("- **Contributing Factors:**")
        lines += [f"  - {factor}" for factor in factors]
    else:
        lines.append("- **Contributing Factors:** _None recorded._")
    lines += ["", "**4. What Went Well / What Could Be Improved:**"]
    lines += [f"- ✅ **Well:** {text}" for text in incident.went_well]
    lines += [f"- ⚠️ **Improve:** {text}" for text in incident.could_improve]
    if not incident.went_well and not incident.could_improve:
        lines.append("- _Not reviewed yet._")
    lines += ["", "**5. Action Items & Lessons Learned:**"]
    lines += [_action_line(action) for action in incident.action_items]
    lines += [f"- **Lesson:** {text}" for text in incident.lessons]
    if not incident.action_items and not incident.lessons:
        lines.append("- _None recorded yet._")
    evidence = _evidence_lines(incident)
    if evidence:
        lines += ["", *evidence]
    return "\n".join(lines) + "\n"


def _evidence_lines(incident: Incident) -> list[str]:
    """An AAR closes with "**Full Details:** See ...": here, the check run it came from."""
    ref = incident.snapshot_ref
    if not ref and not incident.root_causes:
        return []
    head = "**Evidence:** root causes found by `homelabctl diagnose`"
    if ref:
        where = ", ".join(f"`{p}`" for p in ref.get("paths") or []) or ref.get("name", "")
        digest = str(ref.get("sha256", ""))
        head += f" on {ref.get('type', 'snapshot')} {where}".rstrip()
        if digest:
            head += f" (sha256 `{digest[:16]}`, {ref.get('objects', '?')} objects"
            head += f", at {ref['reference_time']})" if ref.get("reference_time") else ")"
    lines = [head]
    for cause in incident.root_causes:
        obj = cause.get("object") or {}
        name = (
            f"{obj.get('namespace')}/{obj.get('name')}" if obj.get("namespace") else str(obj.get("name", ""))
        )
        confidence = (cause.get("confidence") or {}).get("level", "")
        lines.append(
            f"- {cause.get('id', '')}: {cause.get('summary', '')} ({obj.get('kind', '')} {name}"
            + (f", confidence {confidence})" if confidence else ")")
        )
    return lines


def render_log(incidents: Sequence[Incident]) -> str:
    """The whole log, oldest first, under the "## AAR Log" heading."""
    if not incidents:
        return "## AAR Log\n\n_No incidents recorded._\n"
    return "## AAR Log\n\n" + "\n".join(render_aar(i) for i in incidents)


def incident_json(incident: Incident) -> dict[str, Any]:
    return {"schema": JSON_SCHEMA_ID, **incident.to_dict()}


def render_json(data: Incident | Sequence[Incident]) -> str:
    """One incident as an object; several as an array (what ``incident list -o json`` prints)."""
    payload: Any = incident_json(data) if isinstance(data, Incident) else [incident_json(i) for i in data]
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
