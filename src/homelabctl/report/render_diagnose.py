"""`homelabctl diagnose` output: root causes first, each in at most six lines (see :mod:`screen`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homelabctl.report.common import chain_lines, findings_by_id, object_label
from homelabctl.report.next_steps import exact_steps
from homelabctl.report.screen import diagnose_lines, unexplained, write_console

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["render_diagnose_markdown", "render_diagnose_tree", "unexplained"]


def render_diagnose_tree(report: dict[str, Any], console: Console, *, verbose: bool = False) -> None:
    """The first screen on ``console``: wrapped and styled on a terminal, plain and unwrapped otherwise."""
    width = console.width - 1 if console.is_terminal else None
    write_console(diagnose_lines(report, verbose=verbose, width=width), console)


def render_diagnose_markdown(report: dict[str, Any]) -> str:
    by_id = findings_by_id(report)
    out = ["# Diagnosis", "", f"Source: {report['source']['type']} — {report['source']['name']}", ""]
    if not report["root_causes"]:
        out += ["No root cause found: nothing is failing.", ""]
    for n, rc in enumerate(report["root_causes"], start=1):
        out += [
            f"## {n}. {rc['summary']}",
            "",
            f"**Cause**: {object_label(rc['object'])} — layer {rc['layer']}, confidence "
            f"{rc['confidence']['level']} (rule `{rc.get('rule', '')}`)",
            "",
        ]
        if rc["confidence"]["evidence"]:
            out += ["**Evidence**:", *[f"- {e}" for e in rc["confidence"]["evidence"]], ""]
        chain = chain_lines(rc, "")
        if chain:
            out += [*chain, ""]
        if rc["symptoms"]:
            out.append(f"**Symptoms** ({len(rc['symptoms'])}):")
            for sid in rc["symptoms"]:
                s = by_id.get(sid)
                if s:
                    out.append(f"- {sid} `{s['check']}` {object_label(s['object'])}: {s['message']}")
            out.append("")
        steps = exact_steps(rc, by_id)
        if steps:
            out.append("**Next steps**:")
            for step in steps:
                cmd = f" — `{step.command}`" if step.command and step.command not in step.text else ""
                danger = " **(DANGEROUS: only after confirming the node is gone)**" if step.dangerous else ""
                out.append(f"1. {step.text}{cmd}{danger}")
            out.append("")
    rest = unexplained(report)
    if rest:
        out += ["## Other findings", ""]
        out += [f"- {f['id']} [{f['severity']}] {object_label(f['object'])}: {f['message']}" for f in rest]
        out.append("")
    return "\n".join(out)
