"""`homelabctl handoff`: the session handoff document, generated.

Summary since the previous handoff (read from the incident log, which also records when each handoff was
made), what's working (Ready nodes, apps running with no finding at all, areas at 100%, and the checks
that passed, grouped by layer), open P0/P1 items, architecture notes from the inventory and the
failure-domain analysis, and verification commands for this cluster.

Priorities come from severity and impact: P0 only for a critical cause that has something down *now*
(a node not Ready, an app Down, in its own finding or its symptoms); any other critical cause is P1;
open P0/P1 action items from the incident log follow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec

from homelabctl import kinds
from homelabctl.checks.registry import REGISTRY, all_checks
from homelabctl.incidents.render import human_date
from homelabctl.incidents.store import ActionRef, Changes
from homelabctl.paperwork.cluster import gateway_addresses
from homelabctl.paperwork.commands import render_blocks, verification_commands
from homelabctl.paperwork.context import Paperwork
from homelabctl.paperwork.docs import obj_label
from homelabctl.scores import AREA_LABELS
from homelabctl.timeutil import parse_time

TITLE = "# DevOps Team Session Handoff - K3s Homelab Cluster"


class HandoffLog(msgspec.Struct, frozen=True):
    """What the incident log contributes: changes since the previous handoff and open urgent actions."""

    previous: str | None
    changes: Changes | None
    urgent_actions: Sequence[ActionRef]


def _when(stamp: str | None) -> str:
    moment = parse_time(stamp) if stamp else None
    return moment.strftime("%Y-%m-%d %H:%M UTC") if isinstance(moment, datetime) else (stamp or "")


def _summary(work: Paperwork, log: HandoffLog) -> list[str]:
    summary = work.report.get("summary") or {}
    critical, warning = int(summary.get("critical", 0)), int(summary.get("warning", 0))
    day = work.state.reference_time.date().isoformat()
    if critical:
        state = f"The cluster has **critical issues**: {critical} critical and {warning} warning findings"
    elif warning:
        state = f"The cluster is **degraded**: {warning} warning findings"
    else:
        state = "The cluster is **fully operational**: no critical or warning findings"
    causes = len(work.root_causes)
    state += f", {causes} root cause{'s' if causes != 1 else ''}." if causes else "."
    lines = [f"## Session Summary ({human_date(day)})", state, ""]
    changes = log.changes
    if changes is None:
        lines.append("No incident log was read (`--no-db`).")
        return lines
    if log.previous:
        lines.append(f"Since the last handoff ({_when(log.previous)}):")
    else:
        lines.append("No previous handoff recorded; everything in the incident log:")
    items = [
        f"- Opened incident #{i.id}: {i.title} ({i.severity}, {human_date(i.date)})" for i in changes.opened
    ]
    items += [f"- Closed incident #{i.id}: {i.title}" for i in changes.closed]
    items += [
        f"- Incident #{i.id} timeline: {(e.time + ' ') if e.time else ''}{e.text}"
        for i, e in changes.timeline
    ]
    items += [
        f"- Action added to #{a.incident_id}: {a.item.text} ({a.item.priority})"
        for a in changes.actions_added
    ]
    items += [f"- Action done on #{a.incident_id}: {a.item.text}" for a in changes.actions_done]
    lines += items or ["- Nothing was recorded in the incident log."]
    return lines


def _start_here(work: Paperwork) -> list[str]:
    return [
        "## START HERE: Essential Reading Order",
        "1. **CLUSTER-SETUP.md** (`homelabctl docs -o CLUSTER-SETUP.md`) - Complete cluster overview with current state",
        "   - Hardware, storage tiers, GPU table and application status, generated from the cluster",
        "2. **`homelabctl diagnose`** - The root causes below, each with its symptoms and evidence",
        "3. **`homelabctl incident export`** - The AAR log: what happened before, and the open action items",
    ]


def down_now(work: Paperwork, cause: Mapping[str, Any]) -> list[str]:
    """What this cause has down right now: nodes not Ready and apps Down among its finding and symptoms."""
    ids = {str(cause.get("finding")), *map(str, cause.get("symptoms") or [])}
    by_id = {f["id"]: f for f in work.findings}
    not_ready = {
        str(n.get("name"))
        for n in work.report.get("nodes") or []
        if str(n.get("status", "")).split(",")[0] != "Ready"
    }
    nodes = sorted(
        {
            str(by_id[i]["object"].get("name"))
            for i in ids
            if i in by_id
            and by_id[i]["object"].get("kind") == "Node"
            and by_id[i]["object"].get("name") in not_ready
        }
    )
    apps = [
        v.app.name
        for v in work.apps
        if v.status.state == "Down" and any(f.get("id") in ids for f in v.findings)
    ]
    return [f"node {n}" for n in nodes] + [f"app {a}" for a in apps]


def priority(work: Paperwork, cause: Mapping[str, Any]) -> str | None:
    """P0: critical and something is down now; P1: critical; None: not a handoff priority."""
    if work.cause_severity(cause) != "critical":
        return None
    return "P0" if down_now(work, cause) else "P1"


def _priorities(work: Paperwork, log: HandoffLog) -> list[str]:
    from homelabctl.report.next_steps import exact_steps

    lines = ["## Current Priorities (P0/P1)"]
    ranked: list[tuple[str, int, list[str]]] = []
    by_id = {f["id"]: f for f in work.findings}
    for cause in work.root_causes:
        level = priority(work, cause)
        if level is None:
            continue
        down = down_now(work, cause)
        symptoms = len(cause.get("symptoms") or [])
        impact = (f"down now: {', '.join(down)}" if down else "nothing down yet") + (
            f"; {symptoms} symptom{'s' if symptoms != 1 else ''}" if symptoms else ""
        )
        item = [
            f"**[{level}] {cause.get('summary', '')}** - {obj_label(cause.get('object') or {})}",
            f"Impact: {impact}",
        ]
        for step in exact_steps(cause, by_id)[:2]:  # safe and exact first
            item.append(
                (f"Next: `{step.command}`" if step.command else f"Next: {step.text}")
                + (" (destructive: read it first)" if step.dangerous else "")
            )
        ranked.append((level, -len(down) * 100 - symptoms, item))
    items = [item for _, _, item in sorted(ranked, key=lambda r: (r[0], r[1]))]
    for ref in log.urgent_actions:
        owner = f"Owner: {ref.item.owner}, " if ref.item.owner else ""
        items.append(
            [
                f"**[{ref.item.priority}] {ref.item.text}** ({owner}incident #{ref.incident_id} "
                f'"{ref.incident_title}", action {ref.number})'
            ]
        )
    if not items:
        return [*lines, "No open P0/P1 items: no critical root cause, no open P0/P1 action item."]
    for n, item in enumerate(items, start=1):
        lines.append(f"{n}. {item[0]}")
        # Sub-items are indented to the item's text, or Markdown ends the list at item 10.
        lines += [f"{' ' * len(f'{n}. ')}- {row}" for row in item[1:]]
    return lines


def _key_info(work: Paperwork) -> list[str]:
    inv = work.inventory
    lines = ["## Key Information"]
    lines += [f"- **{label}**: {value}" for label, value in inv.key_info.items()]
    if inv.cluster.repository:
        lines.append(f"- **GitOps Repo**: {inv.cluster.repository}")
    if inv.network.domain:
        lines.append(f"- **Services**: All accessible at https://*.{inv.network.domain}")
    for host in inv.hosts:
        for gpu in host.gpus:
            if host.planned:
                continue
            mode = f"uses {gpu.sharing}" + (
                f" ({gpu.replicas} replicas, no memory isolation)" if gpu.sharing == "time-slicing" else ""
            )
            lines.append(
                f"- **GPU**: {gpu.model.removeprefix('NVIDIA ')} {mode if gpu.sharing != 'none' else 'exclusive'}"
            )
    if inv.cluster.backup:
        lines.append(f"- **Backups**: {inv.cluster.backup}")
    return lines if len(lines) > 1 else []


def _working(work: Paperwork) -> list[str]:
    lines = ["## What's Working"]
    nodes = work.report.get("nodes") or []
    ready = [n["name"] for n in nodes if str(n.get("status", "")) == "Ready"]
    if ready:
        lines.append(f"✅ Nodes Ready: {', '.join(ready)} ({len(ready)}/{len(nodes)})  ")
    running = [v.app.name for v in work.apps if v.status.state == "Running" and not v.findings]
    if running:
        lines.append(
            f"✅ Apps running without findings: {', '.join(running)} ({len(running)}/{len(work.apps)})  "
        )
    scores: Mapping[str, Any] = work.report.get("scores") or {}
    for area in AREA_LABELS:
        if area in scores and scores[area].get("score") == 100:
            lines.append(f"✅ {AREA_LABELS[area]}: 100% ({scores[area].get('detail', '')})  ")
    all_checks()
    by_layer: dict[str, list[str]] = {}
    for check_id in sorted(
        work.report.get("passed") or [],
        key=lambda c: (REGISTRY[c].layer.order, c) if c in REGISTRY else (99, c),
    ):
        spec = REGISTRY.get(check_id)
        by_layer.setdefault(spec.layer.value.capitalize() if spec else "Other", []).append(f"`{check_id}`")
    # check ids, not titles: a title names the problem looked for, which reads like a problem here
    for layer, ids in by_layer.items():
        lines.append(f"✅ {layer} checks passing ({len(ids)}): {', '.join(ids)}  ")
    if len(lines) == 1:
        lines.append("Nothing verified yet: no check passed on this source.")
    return lines


def _architecture_notes(work: Paperwork) -> list[str]:
    lines = ["## Architecture Notes"]
    notes = list(work.inventory.architecture_notes)
    gateways = sorted(work.state.index.all(kinds.GATEWAY_KIND), key=lambda g: (g.namespace or "", g.name))
    for gateway in gateways:
        addresses = gateway_addresses(gateway) or (
            [work.inventory.network.gateway_ip] if work.inventory.network.gateway_ip else []
        )
        notes.append(
            f"Gateway: {gateway.name} ({gateway.namespace}) at {', '.join(addresses) or 'no address yet'}"
        )
    notes += [spof.summary for spof in work.spofs]
    lines += [f"⚠️ {note}  " for note in notes] or ["No architecture notes in homelab.yaml."]
    return lines


def render_handoff(work: Paperwork, log: HandoffLog) -> str:
    urls = [v.app.url for v in work.apps if v.app.url and v.app.must_have_auth][:3] or [
        v.app.url for v in work.apps if v.app.url
    ][:1]
    sections = [
        [TITLE],
        _summary(work, log),
        _start_here(work),
        _priorities(work, log),
        [
            "## Quick Verification Commands",
            *render_blocks(verification_commands(work.state, [u for u in urls if u])),
        ],
        _key_info(work),
        _working(work),
        _architecture_notes(work),
        ["---", f"**Last Updated**: {work.updated}  ", "**Updated By**: homelabctl handoff  "]
        + ([f"**Previous Handoff**: {_when(log.previous)}  "] if log.previous else []),
    ]
    text = "\n\n".join("\n".join(s) for s in sections if s)
    return "\n".join(line.rstrip() if not line.endswith("  ") else line for line in text.splitlines()) + "\n"
