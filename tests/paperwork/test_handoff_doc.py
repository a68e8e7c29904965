"""`homelabctl handoff`: the seed handoff document, generated, and "since the last handoff"."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from syrupy.assertion import SnapshotAssertion

from factories_paperwork import RunCli
from homelabctl.incidents.model import ActionItem, IncidentDraft, TimelineEntry
from homelabctl.incidents.store import IncidentStore
from homelabctl.inventory.model import Inventory
from homelabctl.paperwork.context import build_paperwork
from homelabctl.paperwork.handoff import HandoffLog, render_handoff
from homelabctl.sources.base import ClusterState

# The seed handoff (002), section by section.
SEED_SECTIONS = [
    "# DevOps Team Session Handoff - K3s Homelab Cluster",
    "## Session Summary (",
    "## START HERE: Essential Reading Order",
    "## Current Priorities (P0",
    "## Quick Verification Commands",
    "## Key Information",
    "## What's Working",
    "## Architecture Notes",
]


def _clock() -> Any:
    ticks = itertools.count()
    return lambda: f"2025-06-16T03:{next(ticks):02d}:00.000000Z"


def _store(path: Path) -> IncidentStore:
    store = IncidentStore(path, clock=_clock())
    store.create(
        IncidentDraft(
            title="k3s1 Networking Failure",
            severity="P1",
            date="2025-06-14",
            action_items=[
                ActionItem("Investigate k3s1 logs for root cause", "AI Team", "P1"),
                ActionItem("Create node network health monitoring", "AI Team", "P2"),
            ],
        )
    )
    return store


def _log(store: IncidentStore) -> HandoffLog:
    previous = store.last_handoff()
    return HandoffLog(previous, store.changes_since(previous), store.actions(priorities=("P0", "P1")))


def test_handoff_snapshot(
    seed_state: ClusterState,
    seed_report_dict: dict[str, Any],
    seed_inventory: Inventory,
    tmp_path: Path,
    snapshot: SnapshotAssertion,
) -> None:
    work = build_paperwork(seed_state, seed_report_dict, seed_inventory)
    with _store(tmp_path / "i.db") as store:
        store.record_handoff("demo")
        store.update(
            1, add_timeline=[TimelineEntry("02:10", "Found systemd-networkd rewriting the CNI routes")]
        )
        store.create(
            IncidentDraft(
                title="Prometheus exposed without auth",
                severity="P0",
                date="2025-06-15",
                action_items=[ActionItem("Apply OAuth2-Proxy to Prometheus", "", "P0")],
            )
        )
        text = render_handoff(work, _log(store))
    assert text == snapshot
    positions = [
        next(i for i, line in enumerate(text.splitlines()) if line.startswith(s)) for s in SEED_SECTIONS
    ]
    assert positions == sorted(positions)


def test_priorities_whats_working_and_notes(
    seed_state: ClusterState, seed_report_dict: dict[str, Any], seed_inventory: Inventory, tmp_path: Path
) -> None:
    work = build_paperwork(seed_state, seed_report_dict, seed_inventory)
    with _store(tmp_path / "i.db") as store:
        text = render_handoff(work, _log(store))
    lines = text.splitlines()
    # Critical root cause first, then the open P1 action item; the P2 item is not a priority.
    assert "1. **[P0] Node k3s1 is down: its pods and volumes fail with it** - Node k3s1" in lines
    assert (
        "2. **[P1] Investigate k3s1 logs for root cause** (Owner: AI Team, incident #1 "
        '"k3s1 Networking Failure", action 1)'
    ) in lines
    assert "Create node network health monitoring" not in text
    assert any(line.startswith("   - Impact: down now: node k3s1") for line in lines)
    # What's working: passing checks by layer, by id (a title names the problem looked for).
    node_checks = next(line for line in lines if line.startswith("✅ Node checks passing ("))
    assert "`node-pressure`" in node_checks and "none found" not in text
    assert "✅ GitOps: 100% (4/4 Flux objects healthy)  " in lines
    assert "✅ Nodes Ready: k3s-master1, k3s2, k3s3 (3/4)  " in lines
    assert "⚠️ NO nginx ingress controller - Use HTTPRoute only  " in lines
    assert "⚠️ Gateway: main-gateway (networking) at 192.168.10.224  " in lines
    assert (
        "curl -k -sS -o /dev/null -w '%{http_code} https://prometheus.fletcherlabs.net\\n' "
        "https://prometheus.fletcherlabs.net" in lines
    )
    assert "No previous handoff recorded; everything in the incident log:" in lines


def test_cli_records_handoffs_and_reports_only_what_is_new(
    run_cli: RunCli, tmp_path: Path, seed_snapshot: Path, seed_inventory_file: Path
) -> None:
    db = tmp_path / "i.db"
    args = [
        "handoff",
        "--snapshot",
        str(seed_snapshot),
        "--inventory",
        str(seed_inventory_file),
        "--db",
        str(db),
    ]
    run_cli(
        "incident",
        "new",
        "--db",
        str(db),
        "--title",
        "Longhorn CSI Complete Failure",
        "--severity",
        "P0",
        "--date",
        "2025-06-15",
        "--action",
        "Configure Velero backups immediately",
        "--priority",
        "P0",
    )
    first = run_cli(*args)
    assert first.exit_code == 0, first.output
    assert "- Opened incident #1: Longhorn CSI Complete Failure (P0, June 15, 2025)" in first.stdout
    assert "**[P0] Configure Velero backups immediately**" in first.stdout
    second = run_cli(*args)
    assert "Since the last handoff (" in second.stdout
    assert "- Nothing was recorded in the incident log." in second.stdout
    assert "**Previous Handoff**:" in second.stdout
    run_cli(
        "incident",
        "update",
        "1",
        "--db",
        str(db),
        "--add-timeline",
        "23:10 B2 schedule created",
        "--done",
        "1",
    )
    third = run_cli(*args, "--no-record")
    assert "- Incident #1 timeline: 23:10 B2 schedule created" in third.stdout
    assert "- Action done on #1: Configure Velero backups immediately" in third.stdout
    assert "Configure Velero backups immediately**" not in third.stdout  # done: no longer a priority
    fourth = run_cli(*args)  # --no-record left the mark where it was
    assert "- Incident #1 timeline: 23:10 B2 schedule created" in fourth.stdout
    with IncidentStore(db) as store:
        handoffs = store.handoffs()
    assert len(handoffs) == 3 and handoffs[0][1] == f"snapshot: {seed_snapshot}"
