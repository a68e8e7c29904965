"""`homelabctl incident new|list|show|update|close|export`: the AAR log, kept in SQLite."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from homelabctl.cli.common import SourceOptions, source_options
from homelabctl.cli.options import emit, output_options
from homelabctl.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])
PRIORITY = click.Choice(["P0", "P1", "P2", "P3"])
ROOT_CAUSE_FIELDS = ("id", "rule", "layer", "object", "summary", "confidence", "next_steps")


def db_option(func: F) -> F:
    decorated: F = click.option(
        "--db",
        "db_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Incident database (default: $HOMELABCTL_DB, else the user data directory).",
    )(func)
    return decorated


def _store(db_path: Path | None) -> Any:
    from homelabctl.incidents.store import IncidentStore, resolve_db_path

    return IncidentStore(resolve_db_path(db_path))


@click.group("incident")
def incident_group() -> None:
    """Record incidents once; render them as after-action reviews (AARs) or JSON."""


def snapshot_reference(state: Any) -> dict[str, Any]:
    """Where a --from-check run read its cluster, and a digest of what it read.

    The objects were redacted on load, so the digest covers marker values, never secrets; it identifies
    the exact data (re-run `check` on the same snapshot to get the same digest) without storing it.
    """
    from homelabctl.timeutil import format_time

    digest = hashlib.sha256()
    for res in sorted(state.index, key=lambda r: (r.gk, r.namespace or "", r.name)):
        digest.update(json.dumps(res.raw, sort_keys=True, separators=(",", ":"), default=str).encode())
        digest.update(b"\n")
    paths: list[str] = []
    if state.source.type in ("snapshot", "demo"):
        paths = [p.strip() for p in state.source.name.split(",")] if state.source.type == "snapshot" else []
        if state.source.type == "demo":
            from homelabctl.sources.snapshot import demo_snapshot_path

            paths = [str(demo_snapshot_path())]
    return {
        "type": state.source.type,
        "name": state.source.name,
        "paths": paths,
        "sha256": digest.hexdigest(),
        "objects": len(state.index),
        "reference_time": format_time(state.reference_time),
    }


def _from_check(
    source: SourceOptions,
) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    from homelabctl.analysis import analyze
    from homelabctl.engine import required_kinds, select_checks

    state = source.load(required_kinds(select_checks()))
    report = analyze(state).report
    severities = {f["id"]: f["severity"] for f in report["findings"]}
    causes = [
        {k: c[k] for k in ROOT_CAUSE_FIELDS if k in c} | {"severity": severities.get(c["finding"], "")}
        for c in report["root_causes"]
    ]
    severity = "P1" if any(c["severity"] == "critical" for c in causes) else "P2"
    return causes, snapshot_reference(state), severity


@incident_group.command("new")
@click.option(
    "--title", default=None, help="Short title (the AAR heading). Without it, $EDITOR opens a template."
)
@click.option(
    "--severity", type=PRIORITY, default=None, help="P0 outage/data at risk .. P3 minor (default P2)."
)
@click.option(
    "--date", "date_text", default=None, metavar="YYYY-MM-DD", help="Incident date (default: today)."
)
@click.option("--what-happened", default="", help="1. What Happened.")
@click.option("--direct-cause", default="", help="3. Root cause: the direct cause.")
@click.option("--contributing", multiple=True, help="Contributing factor (repeatable).")
@click.option(
    "--timeline", "timeline", multiple=True, metavar='"HH:MM text"', help="Timeline entry (repeatable)."
)
@click.option("--well", multiple=True, help="What went well (repeatable).")
@click.option("--improve", multiple=True, help="What could be improved (repeatable).")
@click.option(
    "--action", "actions", multiple=True, help="Action item (repeatable; --owner/--priority apply)."
)
@click.option("--owner", default="", help="Owner of the --action items.")
@click.option(
    "--priority", type=PRIORITY, default="P2", show_default=True, help="Priority of the --action items."
)
@click.option("--lesson", multiple=True, help="Lesson learned (repeatable).")
@click.option(
    "--from-check",
    is_flag=True,
    help="Run the checks and attach the current root causes and a reference to the (redacted) data read.",
)
@source_options
@db_option
@output_options(["text", "json"], "text")
def new_cmd(
    title: str | None,
    severity: str | None,
    date_text: str | None,
    what_happened: str,
    direct_cause: str,
    contributing: tuple[str, ...],
    timeline: tuple[str, ...],
    well: tuple[str, ...],
    improve: tuple[str, ...],
    actions: tuple[str, ...],
    owner: str,
    priority: str,
    lesson: tuple[str, ...],
    from_check: bool,
    source: SourceOptions,
    db_path: Path | None,
    fmt: str,
    output_file: Path | None,
) -> None:
    """Record a new incident, from options or from a template in $EDITOR."""
    from homelabctl.incidents.model import (
        ActionItem,
        IncidentDraft,
        check_date,
        check_priority,
        parse_timeline,
    )
    from homelabctl.incidents.template import parse_template, render_template

    if source.offline and not from_check:
        raise InputError("--demo/--snapshot only make sense with --from-check")
    causes: list[dict[str, Any]] = []
    snapshot: dict[str, Any] | None = None
    default_severity = "P2"
    if from_check:
        causes, snapshot, default_severity = _from_check(source)
    draft = IncidentDraft(
        title=title or "",
        severity=check_priority(severity or default_severity, "severity"),
        what_happened=what_happened,
        direct_cause=direct_cause,
        timeline=[parse_timeline(t) for t in timeline],
        contributing_factors=list(contributing),
        went_well=list(well),
        could_improve=list(improve),
        action_items=[ActionItem(a, owner, check_priority(priority, "priority")) for a in actions],
        lessons=list(lesson),
        root_causes=causes,
        snapshot_ref=snapshot,
    )
    if date_text:
        draft.date = check_date(date_text)
    if from_check and causes and not draft.direct_cause:
        draft.direct_cause = str(causes[0].get("summary", ""))
    if title is None:
        edited = click.edit(render_template(draft), extension=".yaml", require_save=True)
        parsed = parse_template(edited, draft) if edited is not None else None
        if parsed is None:
            raise InputError("no incident recorded (the template was not saved, or its title was left empty)")
        draft = parsed
    with _store(db_path) as store:
        incident = store.create(draft)
    if fmt == "json":
        from homelabctl.incidents.render import render_json

        emit(render_json(incident), output_file)
    else:
        extra = f", {len(incident.root_causes)} root cause(s) attached" if from_check else ""
        emit(
            f"Recorded incident {incident.id}: {incident.title} ({incident.severity}, {incident.date}){extra}\n",
            output_file,
        )


@incident_group.command("list")
@db_option
@click.option("--status", type=click.Choice(["open", "closed", "all"]), default="all", show_default=True)
@output_options(["table", "json"], "table")
def list_cmd(db_path: Path | None, status: str, fmt: str, output_file: Path | None) -> None:
    """List incidents, oldest first."""
    with _store(db_path) as store:
        incidents = store.incidents(None if status == "all" else status)
    if fmt == "json":
        from homelabctl.incidents.render import render_json

        emit(render_json(incidents), output_file)
        return
    if not incidents:
        emit("No incidents recorded.\n", output_file)
        return
    lines = [f"{'ID':>4}  {'DATE':<10}  {'SEV':<3}  {'STATUS':<6}  {'ACTIONS':<7}  TITLE"]
    for i in incidents:
        open_actions = sum(1 for a in i.action_items if a.status == "open")
        lines.append(
            f"{i.id:>4}  {i.date:<10}  {i.severity:<3}  {i.status:<6}  "
            f"{f'{open_actions}/{len(i.action_items)}':<7}  {i.title}"
        )
    emit("\n".join(lines) + "\n", output_file)


@incident_group.command("show")
@click.argument("incident_id", type=int)
@db_option
@output_options(["markdown", "json"], "markdown")
def show_cmd(incident_id: int, db_path: Path | None, fmt: str, output_file: Path | None) -> None:
    """Show one incident as its AAR (Markdown) or JSON."""
    from homelabctl.incidents.render import render_aar, render_json

    with _store(db_path) as store:
        incident = store.get(incident_id)
    if fmt == "json":
        emit(render_json(incident), output_file)
        return
    emit(render_aar(incident), output_file)
    if incident.action_items:
        click.echo("\nAction items (numbers for `incident update --done N`):", err=True)
        for n, action in enumerate(incident.action_items, start=1):
            click.echo(f"  {n}. [{action.status}] {action.text}", err=True)


@incident_group.command("update")
@click.argument("incident_id", type=int)
@click.option("--title", default=None)
@click.option("--severity", type=PRIORITY, default=None)
@click.option("--date", "date_text", default=None, metavar="YYYY-MM-DD")
@click.option("--what-happened", default=None, help="Replace 1. What Happened.")
@click.option("--direct-cause", default=None, help="Replace the direct cause.")
@click.option(
    "--add-timeline", multiple=True, metavar='"HH:MM text"', help="Append a timeline entry (repeatable)."
)
@click.option("--add-contributing", multiple=True, help="Append a contributing factor (repeatable).")
@click.option("--add-well", multiple=True, help="Append to what went well (repeatable).")
@click.option("--add-improve", multiple=True, help="Append to what could be improved (repeatable).")
@click.option(
    "--add-action", multiple=True, help="Append an action item (repeatable; --owner/--priority apply)."
)
@click.option("--owner", default="", help="Owner of the --add-action items.")
@click.option(
    "--priority", type=PRIORITY, default="P2", show_default=True, help="Priority of the --add-action items."
)
@click.option("--add-lesson", multiple=True, help="Append a lesson learned (repeatable).")
@click.option(
    "--done",
    "done",
    multiple=True,
    type=int,
    metavar="N",
    help="Mark action item N (1-based, as `incident show` numbers them) done (repeatable).",
)
@db_option
@output_options(["text", "json"], "text")
def update_cmd(
    incident_id: int,
    title: str | None,
    severity: str | None,
    date_text: str | None,
    what_happened: str | None,
    direct_cause: str | None,
    add_timeline: tuple[str, ...],
    add_contributing: tuple[str, ...],
    add_well: tuple[str, ...],
    add_improve: tuple[str, ...],
    add_action: tuple[str, ...],
    owner: str,
    priority: str,
    add_lesson: tuple[str, ...],
    done: tuple[int, ...],
    db_path: Path | None,
    fmt: str,
    output_file: Path | None,
) -> None:
    """Change fields of an incident or append to its lists (one atomic write)."""
    from homelabctl.incidents.model import ActionItem, check_priority, parse_timeline

    entries = [parse_timeline(t) for t in add_timeline]
    new_actions = [
        ActionItem(text.strip(), owner, check_priority(priority, "priority")) for text in add_action
    ]
    if any(not a.text for a in new_actions):
        raise InputError("--add-action needs text")
    with _store(db_path) as store:
        incident = store.update(
            incident_id,
            title=title,
            severity=severity,
            date=date_text,
            what_happened=what_happened,
            direct_cause=direct_cause,
            add_timeline=entries,
            add_contributing=add_contributing,
            add_well=add_well,
            add_improve=add_improve,
            add_lessons=add_lesson,
            add_actions=new_actions,
            done_actions=done,
        )
    if fmt == "json":
        from homelabctl.incidents.render import render_json

        emit(render_json(incident), output_file)
        return
    emit(
        f"Updated incident {incident.id}: {incident.title} ({len(incident.timeline)} timeline entries, "
        f"{sum(1 for a in incident.action_items if a.status == 'open')} open action items)\n",
        output_file,
    )


@incident_group.command("close")
@click.argument("incident_id", type=int)
@db_option
@output_options(["text", "json"], "text")
def close_cmd(incident_id: int, db_path: Path | None, fmt: str, output_file: Path | None) -> None:
    """Mark an incident closed (its open action items stay open, and keep showing in handoffs)."""
    with _store(db_path) as store:
        incident = store.close_incident(incident_id)
    if fmt == "json":
        from homelabctl.incidents.render import render_json

        emit(render_json(incident), output_file)
        return
    open_actions = sum(1 for a in incident.action_items if a.status == "open")
    emit(
        f"Closed incident {incident.id}: {incident.title}"
        + (f" ({open_actions} action item(s) still open)" if open_actions else "")
        + "\n",
        output_file,
    )


@incident_group.command("export")
@click.argument("incident_id", type=int, required=False)
@db_option
@output_options(["markdown", "json"], "markdown")
def export_cmd(incident_id: int | None, db_path: Path | None, fmt: str, output_file: Path | None) -> None:
    """Export one incident, or the whole log ("## AAR Log"), as Markdown AARs or JSON."""
    from homelabctl.incidents.render import render_aar, render_json, render_log

    with _store(db_path) as store:
        if incident_id is not None:
            incident = store.get(incident_id)
            text = render_json(incident) if fmt == "json" else render_aar(incident)
        else:
            incidents = store.incidents()
            text = render_json(incidents) if fmt == "json" else render_log(incidents)
    emit(text, output_file)
