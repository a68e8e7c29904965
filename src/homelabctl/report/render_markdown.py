"""The audit report (``check -o markdown``): executive summary, critical issues, degraded, working, node health
table, current state summary."""

from __future__ import annotations

from typing import Any

from homelabctl.report.common import (
    SEVERITY_ICON,
    by_layer,
    chain_lines,
    check_titles,
    findings_by_id,
    object_label,
)
from homelabctl.scores import AREA_LABELS


def _finding_block(n: int, finding: dict[str, Any], causes: dict[str, str]) -> list[str]:
    lines = [
        f"### {n}. {finding['message']}",
        f"- **Object**: {object_label(finding['object'])}",
        f"- **Layer**: {finding['layer']} · **Check**: `{finding['check']}` · **Id**: {finding['id']}",
    ]
    if finding["evidence"]:
        lines.append("- **Evidence**:")
        lines.extend(f"  - {e}" for e in finding["evidence"])
    if finding.get("root_cause"):
        lines.append(f"- **Root Cause**: {causes.get(finding['root_cause'], finding['root_cause'])}")
    if finding["hint"]:
        lines.append(f"- **Next Step**: {finding['hint']}")
    lines.append("")
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    summary = report.get("summary", {})
    source = report["source"]
    out = [
        "# K3s Cluster Health Audit Report",
        f"**Date**: {report.get('reference_time', report['generated_at'])}",
        f"**Source**: {source['type']} — {source['name']}",
        f"**Auditor**: homelabctl {report.get('tool', {}).get('version', '')}".rstrip(),
        "",
        "## Executive Summary",
        "",
    ]
    crit = [f for f in report["findings"] if f["severity"] == "critical"]
    warn = [f for f in report["findings"] if f["severity"] == "warning"]
    info = [f for f in report["findings"] if f["severity"] == "info"]
    out.append(
        f"{len(crit)} critical, {len(warn)} warning and {len(info)} informational findings"
        f" from {summary.get('checks_run', 0)} checks ({summary.get('checks_passed', 0)} passed,"
        f" {len(report['not_evaluated'])} not evaluated), explained by {len(report['root_causes'])} root cause(s)."
    )
    out.append("")
    by_id = findings_by_id(report)
    cause_summary = {rc["finding"]: rc["summary"] for rc in report["root_causes"]}
    if report["root_causes"]:
        out += ["## 🔧 ROOT CAUSE ANALYSIS", ""]
        for n, rc in enumerate(report["root_causes"], start=1):
            out.append(f"### {n}. {rc['summary']}")
            out.append(
                f"- **Cause**: {object_label(rc['object'])} ({rc['layer']}, confidence {rc['confidence']['level']})"
            )
            for ev in rc["confidence"]["evidence"]:
                out.append(f"  - {ev}")
            out += chain_lines(rc, "  ")
            if rc["symptoms"]:
                out.append(f"- **Symptoms explained** ({len(rc['symptoms'])}):")
                for sid in rc["symptoms"]:
                    symptom = by_id.get(sid)
                    if symptom:
                        out.append(f"  - {sid} {object_label(symptom['object'])}: {symptom['message']}")
            steps = rc.get("next_steps") or []
            if steps:
                out.append("- **Next Steps**:")
                for step in steps:
                    danger = " ⚠️ **DANGEROUS**" if step.get("dangerous") else ""
                    command = f" `{step['command']}`" if step.get("command") else ""
                    out.append(f"  - {step['text']}{command}{danger}")
            out.append("")
    out += ["## 🔴 CRITICAL ISSUES", ""]
    if crit:
        for n, finding in enumerate(crit, start=1):
            out += _finding_block(n, finding, cause_summary)
    else:
        out += ["None.", ""]
    out += ["## 🟡 DEGRADED COMPONENTS", ""]
    if warn:
        for n, finding in enumerate(warn, start=1):
            out += _finding_block(n, finding, cause_summary)
    else:
        out += ["None.", ""]
    if info:
        out += ["## 🔵 NOTES", ""]
        out += [f"- {object_label(f['object'])}: {f['message']} (`{f['check']}`)" for f in info]
        out.append("")
    out += ["## ✅ WORKING COMPONENTS", ""]
    titles = check_titles()
    passed = report.get("passed", [])
    if passed:
        out += [f"- ✅ `{cid}`: {titles.get(cid, cid)} — none found" for cid in passed]
    else:
        out.append("No check passed.")
    out.append("")
    if report.get("nodes"):
        out += [
            "## 📊 Node Health",
            "",
            "| Node | Status | Roles | Version | Issues |",
            "|------|--------|-------|---------|--------|",
        ]
        for node in report["nodes"]:
            icon = "✅" if node["status"].startswith("Ready") else "❌"
            issues = "; ".join(node.get("issues") or []) or "None"
            out.append(
                f"| {node['name']} | {icon} {node['status']} | {', '.join(node.get('roles') or []) or '-'} "
                f"| {node.get('version', '')} | {issues} |"
            )
        out.append("")
    if report["not_evaluated"]:
        out += ["## ⚪ NOT EVALUATED", ""]
        out += [f"- `{n['check']}`: {n['reason']}" for n in report["not_evaluated"]]
        out.append("")
    if report.get("partially_evaluated"):
        out += ["## ◐ PARTIALLY EVALUATED", ""]
        out += [f"- `{n['check']}`: {n['reason']}" for n in report["partially_evaluated"]]
        out.append("")
    out += ["## 📊 Current State Summary", "", "```yaml"]
    for area, score in report["scores"].items():
        label = AREA_LABELS.get(area, area)
        value = "n/a" if score["score"] is None else f"{score['score']}%"
        out.append(f"{label}: {value} ({score['detail']})")
    out += ["```", ""]
    layers = by_layer(report["findings"])
    if layers:
        out += [
            "## Findings by Layer",
            "",
            "| Layer | Critical | Warning | Info |",
            "|-------|----------|---------|------|",
        ]
        for layer, items in layers:
            counts = [sum(1 for f in items if f["severity"] == s) for s in ("critical", "warning", "info")]
            out.append(f"| {layer} | {counts[0]} | {counts[1]} | {counts[2]} |")
        out.append("")
    icon_line = " ".join(f"{icon} {name}" for name, icon in SEVERITY_ICON.items())
    out.append(f"*Generated by homelabctl from the cluster, not by hand. Legend: {icon_line}.*")
    return "\n".join(out) + "\n"
