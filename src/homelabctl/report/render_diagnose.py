"""`homelabctl diagnose` output: causes as a tree with evidence, grouped symptoms and next steps."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.text import Text

from homelabctl.report.common import chain_lines, findings_by_id, object_label
from homelabctl.report.render_table import root_cause_tree, summary_panel


def unexplained(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Critical and warning findings no root cause accounts for: still worth a look, listed after causes."""
    covered = {rc["finding"] for rc in report["root_causes"]}
    for rc in report["root_causes"]:
        covered.update(rc["symptoms"])
    return [f for f in report["findings"] if f["id"] not in covered and f["severity"] != "info"]


def render_diagnose_tree(report: dict[str, Any], console: Console) -> None:
    parts: list[Any] = [summary_panel(report)]
    tree = root_cause_tree(report)
    parts.append(tree if tree is not None else Text("No root cause found: nothing is failing.", style="green"))
    rest = unexplained(report)
    if rest:
        parts.append(Text(f"\nOther findings not explained by a root cause ({len(rest)}):", style="bold"))
        for f in rest:
            parts.append(Text(f"  {f['id']} [{f['severity']}] {object_label(f['object'])}: {f['message']}"))
    console.print(Group(*parts))


def render_diagnose_markdown(report: dict[str, Any]) -> str:
    by_id = findings_by_id(report)
    out = ["# Diagnosis", "", f"Source: {report['source']['type']} — {report['source']['name']}", ""]
    if not report["root_causes"]:
        out += ["No root cause found: nothing is failing.", ""]
    for n, rc in enumerate(report["root_causes"], start=1):
        out += [f"## {n}. {rc['summary']}", "",
                f"**Cause**: {object_label(rc['object'])} — layer {rc['layer']}, confidence "
                f"{rc['confidence']['level']} (rule `{rc.get('rule', '')}`)", ""]
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
        if rc.get("next_steps"):
            out.append("**Next steps**:")
            for step in rc["next_steps"]:
                cmd = f" — `{step['command']}`" if step.get("command") else ""
                danger = " **(DANGEROUS: only after confirming the node is gone)**" if step.get("dangerous") else ""
                out.append(f"1. {step['text']}{cmd}{danger}")
            out.append("")
    rest = unexplained(report)
    if rest:
        out += ["## Other findings", ""]
        out += [f"- {f['id']} [{f['severity']}] {object_label(f['object'])}: {f['message']}" for f in rest]
        out.append("")
    return "\n".join(out)
