"""The reports as plain text, for pipes and files: no box drawing, no wrapping, and no rich import
(a piped `check` should cost little more than `check -o json`)."""

from __future__ import annotations

from typing import Any

from homelabctl.report.common import by_layer, object_label
from homelabctl.report.screen import Line, diagnose_lines, header_lines, root_cause_lines
from homelabctl.scores import AREA_LABELS


def plain_lines(report: dict[str, Any], *, verbose: bool = False) -> list[Line]:
    """The whole report as plain lines: no box drawing, no wrapping, for pipes and files."""
    lines = header_lines(report, "homelabctl check", None)
    if report["root_causes"]:
        lines += [Line(""), Line("Root causes (most important first)")]
        lines += root_cause_lines(report, verbose=verbose, width=None)
    for layer, items in by_layer(report["findings"]):
        lines += [Line(""), Line(f"{layer} ({len(items)})")]
        for f in items:
            lines.append(Line(f"  {f['id']} {f['severity']} {object_label(f['object'])}: {f['message']}"))
            lines += [Line(f"      {ev}") for ev in f["evidence"][:3]]
            if len(f["evidence"]) > 3:
                lines.append(Line(f"      (+{len(f['evidence']) - 3} more)"))
            if f["hint"]:
                lines.append(Line(f"      → {f['hint']}"))
            if f.get("root_cause"):
                lines.append(Line(f"      ↳ explained by {f['root_cause']}"))
    if not report["findings"]:
        lines += [Line(""), Line("No findings.")]
    lines += [Line(""), Line("Current state")]
    for area, score in report["scores"].items():
        value = score["score"]
        lines.append(
            Line(
                f"  {AREA_LABELS.get(area, area)}: {'n/a' if value is None else f'{value}%'} "
                f"({score['detail']})"
            )
        )
    if report["not_evaluated"]:
        lines += [Line(""), Line("Not evaluated (could not be read — not counted as passing)")]
        lines += [Line(f"  {item['check']}: {item['reason']}") for item in report["not_evaluated"]]
    if report.get("partially_evaluated"):
        lines += [
            Line(""),
            Line("Partially evaluated (some kinds could not be read — not counted as passing)"),
        ]
        lines += [Line(f"  {item['check']}: {item['reason']}") for item in report["partially_evaluated"]]
    return lines


def check_text(report: dict[str, Any], *, verbose: bool = False) -> str:
    return "".join(line.text + "\n" for line in plain_lines(report, verbose=verbose))


def diagnose_text(report: dict[str, Any], *, verbose: bool = False) -> str:
    return "".join(line.text + "\n" for line in diagnose_lines(report, verbose=verbose, width=None))
