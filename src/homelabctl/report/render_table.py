"""Terminal report: summary panel, root causes, findings grouped by layer, scores, not evaluated."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from homelabctl.report.common import by_layer, object_label
from homelabctl.report.render_plain import plain_lines
from homelabctl.report.screen import root_cause_lines, write_console
from homelabctl.scores import AREA_LABELS

SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}


def _score_style(score: int | None) -> str:
    if score is None:
        return "dim"
    if score >= 90:
        return "green"
    if score >= 60:
        return "yellow"
    return "red"


def summary_panel(report: dict[str, Any]) -> Panel:
    s = report.get("summary", {})
    text = Text()
    text.append(f"{report['source']['type']}: {report['source']['name']}\n", style="bold")
    text.append(
        f"as of {report.get('reference_time', report['generated_at'])}  ·  {s.get('objects', 0)} objects\n"
    )
    text.append(f"{s.get('critical', 0)} critical", style=SEVERITY_STYLE["critical"])
    text.append("  ")
    text.append(f"{s.get('warning', 0)} warning", style=SEVERITY_STYLE["warning"])
    text.append("  ")
    text.append(f"{s.get('info', 0)} info", style=SEVERITY_STYLE["info"])
    text.append(
        f"   root causes: {len(report['root_causes'])}   checks: {s.get('checks_passed', 0)}/"
        f"{s.get('checks_run', 0)} passed, {len(report['not_evaluated'])} not evaluated"
    )
    return Panel(text, title="homelabctl check", expand=False)


def findings_tables(report: dict[str, Any]) -> list[Table]:
    tables = []
    for layer, items in by_layer(report["findings"]):
        table = Table(
            title=f"{layer}", title_justify="left", title_style="bold", expand=True, show_lines=False
        )
        table.add_column("id", style="dim", no_wrap=True)
        table.add_column("severity", no_wrap=True)
        table.add_column("object", overflow="fold", ratio=1)
        table.add_column("finding", overflow="fold", ratio=3)
        for f in items:
            detail = Text(f["message"])
            for ev in f["evidence"][:3]:
                detail.append(f"\n  {ev}", style="dim")
            if len(f["evidence"]) > 3:
                detail.append(f"\n  (+{len(f['evidence']) - 3} more)", style="dim")
            if f["hint"]:
                detail.append(f"\n→ {f['hint']}", style="green")
            if f.get("root_cause"):
                detail.append(f"\n↳ explained by {f['root_cause']}", style="magenta")
            table.add_row(
                f["id"],
                Text(f["severity"], style=SEVERITY_STYLE[f["severity"]]),
                Text(object_label(f["object"])),
                detail,
            )
        tables.append(table)
    return tables


def scores_table(report: dict[str, Any]) -> Table:
    table = Table(title="Current state", title_justify="left", title_style="bold")
    table.add_column("area")
    table.add_column("score", justify="right")
    table.add_column("measured")
    for area, score in report["scores"].items():
        value = score["score"]
        table.add_row(
            AREA_LABELS.get(area, area),
            Text("n/a" if value is None else f"{value}%", style=_score_style(value)),
            Text(score["detail"]),
        )
    return table


def render_table(report: dict[str, Any], console: Console, *, verbose: bool = False) -> None:
    """Rich tables on a terminal; plain lines (see :func:`plain_lines`) on a pipe or in a file."""
    if not console.is_terminal:
        write_console(plain_lines(report, verbose=verbose), console)
        return
    console.print(summary_panel(report))
    if report["root_causes"]:
        console.print(Text("Root causes (most important first)", style="bold"))
        write_console(root_cause_lines(report, verbose=verbose, width=console.width - 1), console)
        console.print()
    parts: list[Any] = list(findings_tables(report))
    if not report["findings"]:
        parts.append(Text("No findings.", style="green"))
    parts.append(scores_table(report))
    if report["not_evaluated"]:
        ne = Table(title="Not evaluated (could not be read — not counted as passing)", title_justify="left")
        ne.add_column("check", style="dim")
        ne.add_column("reason")
        for item in report["not_evaluated"]:
            ne.add_row(Text(item["check"]), Text(item["reason"]))
        parts.append(ne)
    if report.get("partially_evaluated"):
        pe = Table(
            title="Partially evaluated (some kinds could not be read — not counted as passing)",
            title_justify="left",
        )
        pe.add_column("check", style="dim")
        pe.add_column("reason")
        for item in report["partially_evaluated"]:
            pe.add_row(Text(item["check"]), Text(item["reason"]))
        parts.append(pe)
    console.print(Group(*parts))
