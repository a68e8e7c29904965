"""The first screen: every root cause in at most six lines, for whoever is woken at 2 a.m.

Per cause: what is broken (one or two lines), why we think so (the strongest evidence, one line), how
many symptoms it explains (``--verbose`` lists them with all evidence and every next step), and one or
two exact commands naming the exact object. Text is wrapped at word boundaries to the terminal width;
when stdout is not a terminal (a pipe, a file) nothing is wrapped and nothing is boxed, so ``grep`` and
``head`` see whole lines. Commands are never wrapped or clipped: they must paste as they are.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from homelabctl.report.common import findings_by_id, object_label
from homelabctl.report.next_steps import exact_steps, first_commands

if TYPE_CHECKING:
    from rich.console import Console

SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
PLAIN_CLIP = 200
"""Longest evidence line on the first screen when not wrapping (container logs can run to kilobytes)."""


class Line(msgspec.Struct, frozen=True):
    text: str
    style: str = ""


def clip(text: str, width: int) -> str:
    """``text`` on one line of at most ``width`` characters, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: max(width - 1, 1)]
    space = cut.rfind(" ")
    if space > width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:—-") + "…"


def wrap(
    text: str, width: int | None, indent: str, first: str = "", max_lines: int | None = None
) -> list[str]:
    """Word-wrapped lines (never split mid-word); ``width`` None: one unwrapped line."""
    text = " ".join(text.split())
    if width is None:
        return [first + text]
    lines = textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first]
    if max_lines is not None and len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])[len(indent) :] if max_lines > 1 else text
        head = lines[max_lines - 1][: len(indent)] if max_lines > 1 else first
        lines = [*lines[: max_lines - 1], head + clip(rest, width - len(head))]
    return lines


def header_lines(report: Mapping[str, Any], title: str, width: int | None) -> list[Line]:
    s = report.get("summary") or {}
    source = report.get("source") or {}
    when = report.get("reference_time") or report.get("generated_at", "")
    ignored = f" · {s['ignored']} ignored" if s.get("ignored") else ""
    first = f"{title} · {source.get('type', '')}: {source.get('name', '')} · as of {when}"
    second = (
        f"{s.get('critical', 0)} critical, {s.get('warning', 0)} warning, {s.get('info', 0)} info · "
        f"{len(report.get('root_causes') or [])} root cause(s) · {s.get('checks_passed', 0)}/"
        f"{s.get('checks_run', 0)} checks passed, {len(report.get('not_evaluated') or [])} not evaluated"
        f"{ignored}"
    )
    style = "bold red" if s.get("critical") else "yellow" if s.get("warning") else "green"
    return [
        Line(clip(first, width) if width else first, "bold"),
        Line(clip(second, width) if width else second, style),
    ]


def cause_lines(
    n: int, rc: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]], *, verbose: bool, width: int | None
) -> list[Line]:
    cause = by_id.get(str(rc.get("finding")), {})
    severity = str(cause.get("severity", "warning"))
    prefix = f"{n}. "
    indent = " " * len(prefix)
    head = f"{rc.get('summary', '')}"
    lines = [
        Line(t, SEVERITY_STYLE.get(severity, "bold"))
        for t in wrap(head, width, indent, prefix, max_lines=None if verbose else 2)
    ]
    evidence = [str(e) for e in (rc.get("confidence") or {}).get("evidence") or []]
    if evidence:
        room = (width or PLAIN_CLIP + 9) - len(indent) - len("why: ")
        lines.append(Line(f"{indent}why: {clip(evidence[0], room) if not verbose else evidence[0]}", "dim"))
    symptoms = [s for s in rc.get("symptoms") or [] if s in by_id]
    confidence = (rc.get("confidence") or {}).get("level", "")
    count = f"{len(symptoms)} symptom{'s' if len(symptoms) != 1 else ''}" if symptoms else "no other symptom"
    facts = f"{count} · {rc.get('layer', '')} layer, {confidence} confidence · {object_label(rc.get('object') or {})}"
    lines.append(Line(f"{indent}{clip(facts, width - len(indent)) if width else facts}", "dim"))
    if not verbose:
        lines += [Line(f"{indent}$ {step.command}", "green") for step in first_commands(rc, by_id)]
        return lines
    for ev in evidence[1:]:
        lines += [Line(t, "dim") for t in wrap(ev, width, indent + "     ", indent + "     ")]
    for link in (
        rc.get("chain") or []
    ):  # how the cause reaches its symptoms, edge by edge (when the rule says)
        if (
            isinstance(link, Mapping)
            and isinstance(link.get("from"), Mapping)
            and isinstance(link.get("to"), Mapping)
        ):
            text = f"via: {object_label(link['from'])} —{link.get('edge', '')}→ {object_label(link['to'])}"
            if link.get("provenance"):
                text += f" ({link['provenance']})"
            lines += [Line(t, "dim") for t in wrap(text, width, indent + "       ", indent)]
    for sid in symptoms:
        s = by_id[sid]
        lines += [
            Line(t)
            for t in wrap(
                f"{sid} {object_label(s['object'])}: {s['message']}", width, indent + "    ", indent + "  - "
            )
        ]
    for step in exact_steps(rc, by_id):
        style = "bold red" if step.dangerous else "green"
        note = " (DANGEROUS: read it first)" if step.dangerous else ""
        lines += [Line(t, style) for t in wrap(f"next: {step.text}{note}", width, indent + "  ", indent)]
        if step.command:
            lines.append(Line(f"{indent}  $ {step.command}", style))
    return lines


def unexplained(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Critical and warning findings no root cause accounts for: still worth a look, listed after causes."""
    covered = {rc["finding"] for rc in report["root_causes"]}
    for rc in report["root_causes"]:
        covered.update(rc["symptoms"])
    return [f for f in report["findings"] if f["id"] not in covered and f["severity"] != "info"]


def root_cause_lines(report: Mapping[str, Any], *, verbose: bool, width: int | None) -> list[Line]:
    by_id = findings_by_id(report)
    lines: list[Line] = []
    for n, rc in enumerate(report.get("root_causes") or [], start=1):
        lines += [Line(""), *cause_lines(n, rc, by_id, verbose=verbose, width=width)]
    return lines


def diagnose_lines(report: Mapping[str, Any], *, verbose: bool, width: int | None) -> list[Line]:
    lines = header_lines(report, "homelabctl diagnose", width)
    if not report.get("root_causes"):
        lines += [Line(""), Line("No root cause found: nothing is failing.", "green")]
    lines += root_cause_lines(report, verbose=verbose, width=width)
    rest = unexplained(report)
    if rest:
        lines += [Line(""), Line(f"Other findings not explained by a root cause: {len(rest)}", "bold")]
        if verbose:
            for f in rest:
                lines += [
                    Line(t)
                    for t in wrap(
                        f"{f['id']} [{f['severity']}] {object_label(f['object'])}: {f['message']}",
                        width,
                        "    ",
                        "  - ",
                    )
                ]
    if not verbose and (report.get("root_causes") or rest):
        lines += [
            Line(""),
            Line(
                "--verbose: every symptom, all evidence and every next step; "
                "`homelabctl check`: every finding",
                "dim",
            ),
        ]
    return lines


def write_console(lines: Sequence[Line], console: Console) -> None:
    """Print ``lines`` on ``console`` as they are (already wrapped, or deliberately not): styled on a
    terminal, plain otherwise. Cluster text is never parsed as markup."""
    from rich.text import Text

    for line in lines:
        console.print(
            Text(line.text, style=line.style if console.is_terminal else ""), soft_wrap=True, highlight=False
        )
