"""The HTML dashboard: root causes first with how long each has lasted, area scores, the timeline of
causes, every finding with its evidence and next step. One self-contained page (inline CSS, no script, no
external asset: it works offline and under a strict Content-Security-Policy); every piece of cluster text is
escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from homelabctl.report.common import by_layer, findings_by_id, object_label
from homelabctl.timeutil import format_time, parse_time
from homelabctl.watch.history import CauseRecord, finding_key, human_duration

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d232b}
header{background:#1d232b;color:#fff;padding:12px 24px}header h1{font-size:18px;margin:0}
header p{margin:2px 0 0;color:#c9d1d9;font-size:12px}main{padding:16px 24px;max-width:1200px}
h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.cause{background:#fff;border:1px solid #d0d7de;border-left:6px solid #cf222e;border-radius:6px;padding:10px 14px;margin:8px 0}
.cause.warning{border-left-color:#bf8700}.cause.info{border-left-color:#0969da}
.cause h3{margin:0 0 4px;font-size:15px}.for{font-weight:600;color:#cf222e}
.sev{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;color:#fff;background:#cf222e}
.sev.warning{background:#bf8700}.sev.info{background:#0969da}
code{background:#eef1f4;border-radius:4px;padding:1px 4px;font-size:12px}.danger{color:#cf222e;font-weight:600}
table{border-collapse:collapse;background:#fff;width:100%}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4}.ok{color:#1a7f37}.muted{color:#57606a}ul{margin:4px 0;padding-left:20px}
details{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:6px 0;padding:6px 10px}summary{cursor:pointer}
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _sev(severity: str) -> str:
    return f'<span class="sev {_e(severity)}">{_e(severity)}</span>'


def _when(text: str | None) -> str:
    moment = parse_time(text) if text else None
    return _e(moment.strftime("%Y-%m-%d %H:%M UTC") if moment else text or "")


def _steps(steps: Sequence[Mapping[str, Any]]) -> str:
    if not steps:
        return ""
    items = []
    for step in steps:
        line = _e(step.get("text"))
        if step.get("command"):
            line += f" <code>{_e(step['command'])}</code>"
        if step.get("dangerous"):
            line += ' <span class="danger">(dangerous)</span>'
        items.append(f"<li>{line}</li>")
    return "<p><b>Next steps</b></p><ol>" + "".join(items) + "</ol>"


def _cause_block(
    cause: Mapping[str, Any],
    record: CauseRecord | None,
    findings: Mapping[str, Mapping[str, Any]],
    now: datetime,
) -> str:
    lead = findings.get(cause["finding"], {})
    severity = str(lead.get("severity", "warning"))
    lasted = record.lasted(now) if record is not None else "just now"
    since = f" since {_when(record.started_at)}" if record is not None else ""
    incident = f" · incident #{record.incident_id}" if record is not None and record.incident_id else ""
    evidence = "".join(f"<li>{_e(line)}</li>" for line in (lead.get("evidence") or [])[:12])
    confidence = cause.get("confidence", {})
    symptoms = [findings[s] for s in cause.get("symptoms", []) if s in findings]
    symptom_items = "".join(
        f"<li>{_e(object_label(s['object']))}: {_e(s['message'])}</li>" for s in symptoms[:50]
    )
    more = f"<li class=muted>… and {len(symptoms) - 50} more</li>" if len(symptoms) > 50 else ""
    return (
        f'<div class="cause {_e(severity)}"><h3>{_sev(severity)} {_e(cause["summary"])}</h3>'
        f'<p><span class="for">for {_e(lasted)}</span>{since} · {_e(object_label(cause["object"]))} · '
        f"rule <code>{_e(cause['rule'])}</code> · confidence {_e(confidence.get('level'))}{_e(incident)}</p>"
        + (f"<p><b>Evidence</b></p><ul>{evidence}</ul>" if evidence else "")
        + (
            f"<details><summary>{len(symptoms)} symptom(s) explained by this cause</summary>"
            f"<ul>{symptom_items}{more}</ul></details>"
            if symptoms
            else ""
        )
        + _steps(cause.get("next_steps") or [])
        + "</div>"
    )


def render_dashboard(
    report: Mapping[str, Any] | None,
    active: Sequence[CauseRecord],
    timeline: Sequence[CauseRecord],
    now: datetime,
    *,
    open_findings: Mapping[str, tuple[str, str]] | None = None,
    status: str = "",
) -> str:
    title = "homelabctl watch"
    if report is None:
        body = f"<main><p>Waiting for the first evaluation… {_e(status)}</p></main>"
        return _page(title, "", body, refresh=5)
    source = report.get("source", {})
    summary = report.get("summary", {})
    head = (
        f"{_e(source.get('name'))} · {summary.get('objects', 0)} objects · evaluated {_when(report.get('reference_time'))}"
        f" · {summary.get('critical', 0)} critical, {summary.get('warning', 0)} warning · {_e(status)}"
    )
    findings = findings_by_id(report)
    by_key = {r.key: r for r in active}
    from homelabctl.watch.history import cause_key

    parts: list[str] = ["<main>", f"<h2>Root causes ({len(report['root_causes'])})</h2>"]
    if report["root_causes"]:
        parts += [_cause_block(c, by_key.get(cause_key(c)), findings, now) for c in report["root_causes"]]
    else:
        parts.append('<p class="ok">No root cause found.</p>')

    parts.append("<h2>Scores</h2><table><tr><th>area</th><th>score</th><th>why</th></tr>")
    for area, score in report["scores"].items():
        value = score.get("score")
        parts.append(
            f"<tr><td>{_e(area.replace('_', ' '))}</td>"
            f"<td>{'not evaluated' if value is None else _e(value)}</td><td>{_e(score.get('detail'))}</td></tr>"
        )
    parts.append("</table>")

    parts.append("<h2>Timeline of root causes</h2>")
    if timeline:
        parts.append(
            "<table><tr><th>started</th><th>cause</th><th>object</th><th>lasted</th><th>resolved</th>"
            "<th>incident</th></tr>"
        )
        for record in timeline:
            resolved = _when(record.resolved_at) if record.resolved_at else "<b>ongoing</b>"
            parts.append(
                f"<tr><td>{_when(record.started_at)}</td><td>{_sev(record.severity)} {_e(record.summary)}</td>"
                f"<td>{_e(record.object_label)}</td><td>{_e(record.lasted(now))}</td><td>{resolved}</td>"
                f"<td>{_e(record.incident_id or '')}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append('<p class="muted">Nothing yet.</p>')

    parts.append(f"<h2>Findings ({len(report['findings'])})</h2>")
    seen = open_findings or {}
    for layer, items in by_layer(list(report["findings"])):
        parts.append(f"<details open><summary><b>{_e(layer)}</b> ({len(items)})</summary>")
        for finding in items:
            first = seen.get(finding_key(finding), ("", ""))[0]
            age = ""
            if first:
                moment = parse_time(first)
                age = f" · seen for {_e(human_duration(now - moment))}" if moment else ""
            evidence = "".join(f"<li>{_e(line)}</li>" for line in (finding.get("evidence") or [])[:20])
            cause_note = f" · explained by {_e(finding['root_cause'])}" if finding.get("root_cause") else ""
            parts.append(
                f"<p>{_sev(finding['severity'])} <b>{_e(object_label(finding['object']))}</b>: {_e(finding['message'])}"
                f' <span class="muted">({_e(finding["check"])}{age}{cause_note})</span></p>'
                + (f"<ul>{evidence}</ul>" if evidence else "")
                + (f"<p>Next step: {_e(finding['hint'])}</p>" if finding.get("hint") else "")
            )
        parts.append("</details>")

    if report["not_evaluated"]:
        parts.append(f"<h2>Not evaluated ({len(report['not_evaluated'])})</h2><ul>")
        parts += [
            f"<li><code>{_e(item['check'])}</code>: {_e(item['reason'])}</li>"
            for item in report["not_evaluated"]
        ]
        parts.append("</ul>")
    if report.get("errors"):
        parts.append("<h2>Errors</h2><ul>" + "".join(f"<li>{_e(e)}</li>" for e in report["errors"]) + "</ul>")
    parts.append(
        f'<p class="muted">Page rendered {_e(format_time(now))}; it refreshes every 30 s.</p></main>'
    )
    return _page(title, head, "".join(parts), refresh=30)


def _page(title: str, head: str, body: str, *, refresh: int) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{refresh}">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{_e(title)}</title>'
        f"<style>{CSS}</style></head><body><header><h1>{_e(title)}</h1><p>{head}</p></header>{body}</body></html>"
    )
