"""`homelabctl docs`: the seed CLUSTER-SETUP structure, stable output, and `--check` for CI."""

from __future__ import annotations

import difflib
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from factories_paperwork import RunCli, app_deployment, seed_cluster
from homelabctl.incidents.model import IncidentDraft
from homelabctl.incidents.store import IncidentStore
from homelabctl.inventory.model import Inventory
from homelabctl.paperwork.context import build_paperwork
from homelabctl.paperwork.docs import STATUS_BEGIN, STATUS_END, comparable, render_docs
from homelabctl.sources.base import ClusterState

from factories import state

# Section skeleton of the seed document (001), in order, as far as it describes the cluster (the roadmap,
# documentation index and team instructions are the team's own prose, not facts the tool can know).
SEED_SKELETON = [
    "# K3s Homelab Cluster Setup Documentation",
    "## 📊 Cluster Health Status",
    "## Table of Contents",
    "## Overview",
    "## Hardware Configuration",
    "### Physical Nodes",
    "#### Dell R730 (Storage Server)",
    "#### Dell R630 (k3s3)",
    "#### Dell OptiPlex Micro (k3s1 & k3s2)",
    "### Virtual Nodes",
    "#### k3s-master1",
    "## Cluster Architecture",
    "### Core Components",
    "### Networking",
    "## Current Issues & Status",
    "## Deployed Applications",
    "### Media Stack (`/clusters/k3s-home/apps/media/`)",
    "### AI Stack (`/clusters/k3s-home/apps/ai/`)",
    "### Infrastructure",
    "## Storage Architecture",
    "### Storage Tiers",
    "### GPU Architecture",
    "## Quick Reference",
    "### Common Commands",
    "### Important URLs",
]
SEED_TABLE_HEADERS = [
    "| Service | URL | Status | Notes |",
    "| Tier | Technology | Node(s) | Performance | Use Case |",
    "| Node | GPU | Mode | Resources | Limitations |",
]


def _docs(objs: list[dict[str, Any]], report: dict[str, Any], inventory: Inventory | None, **kw: Any) -> str:
    return render_docs(build_paperwork(state(objs), report, inventory), **kw)


def test_docs_snapshot(
    seed_state: ClusterState,
    seed_report_dict: dict[str, Any],
    seed_inventory: Inventory,
    snapshot: SnapshotAssertion,
) -> None:
    assert render_docs(build_paperwork(seed_state, seed_report_dict, seed_inventory)) == snapshot


def test_sections_and_tables_follow_the_seed(
    seed_state: ClusterState, seed_report_dict: dict[str, Any], seed_inventory: Inventory
) -> None:
    text = render_docs(build_paperwork(seed_state, seed_report_dict, seed_inventory))
    headings = [line for line in text.splitlines() if line.startswith("#")]
    positions = [headings.index(h) for h in SEED_SKELETON]
    assert positions == sorted(positions), "sections out of the seed's order"
    for header in SEED_TABLE_HEADERS:
        assert header in text.splitlines()
    anchors = {re.sub(r"[^\w\- ]", "", h.lstrip("#").strip().lower()).replace(" ", "-") for h in headings}
    for target in re.findall(r"\]\(#([^)]+)\)", text):
        assert target in anchors, f"dangling link #{target}"
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if line.startswith("| ")}
    assert (
        rows["Jellyfin"]
        == "| Jellyfin | http://jellyfin.fletcherlabs.net | ✅ Running | GPU transcoding on k3s3 |"
    )
    assert rows["Bazarr"] == (
        "| Bazarr | http://bazarr.fletcherlabs.net | ❌ Down: Deployment bazarr scaled to 0 | "
        "Pending Longhorn migration |"
    )
    assert rows["Overseerr"] == "| Overseerr | http://overseerr.fletcherlabs.net | ➖ Not deployed | |"
    assert rows["Prometheus"].startswith(
        "| Prometheus | https://prometheus.fletcherlabs.net | ⚠️ Running: ⚠️ HTTPRoute"
    )
    assert (
        rows["k3s3"]
        == "| k3s3 | Tesla T4 16GB | Time-slicing | nvidia.com/gpu: 4 | No memory isolation between workloads |"
    )
    assert "| | └ longhorn-optane | k3s3 | Ultra-high IOPS | Performance-critical apps |" in text
    assert "- **BGP**: AS 64512 (cluster) ↔ AS 64513 (router at 192.168.10.1)" in text
    assert "- **⚠️ Critical**: Dell R730 carries the control-plane VM k3s-master1 and the NFS storage" in text


def test_regeneration_is_stable_and_changes_only_what_changed(
    seed_report_dict: dict[str, Any], seed_inventory: Inventory
) -> None:
    objs = seed_cluster()
    first = _docs(objs, seed_report_dict, seed_inventory)
    shuffled = list(objs)
    random.Random(3).shuffle(shuffled)
    assert _docs(shuffled, seed_report_dict, seed_inventory) == first
    broken = [
        o
        for o in objs
        if not (
            o["metadata"]["name"].startswith("sonarr") and o["kind"] != "Service" and o["kind"] != "HTTPRoute"
        )
    ]
    broken += app_deployment("sonarr", "media", ["k3s2"], ready=0, claims=["media-nfs"])
    second = _docs(broken, seed_report_dict, seed_inventory)
    changed = [
        line
        for line in difflib.unified_diff(first.splitlines(), second.splitlines(), lineterm="", n=0)
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        "-**Apps**: 6/10 Running, 3 Down, 1 Not deployed  ",
        "+**Apps**: 5/10 Running, 4 Down, 1 Not deployed  ",
        "-| Sonarr | http://sonarr.fletcherlabs.net | ✅ Running | |",
        "+| Sonarr | http://sonarr.fletcherlabs.net | ❌ Down: Deployment sonarr 0/1 ready | |",
    ]
    # all of it live status: `docs --check` sees no difference
    assert comparable(first) == comparable(second)


def test_without_inventory_the_cluster_alone_fills_the_document(
    seed_state: ClusterState, seed_report_dict: dict[str, Any]
) -> None:
    text = render_docs(build_paperwork(seed_state, seed_report_dict, None))
    assert "**Inventory**: none found" in text
    assert "| Prometheus | https://prometheus.fletcherlabs.net | ⚠️ Running: " in text
    assert "| Hubble | https://hubble.fletcherlabs.net | ✅ Running | |" in text
    assert "#### k3s3" in text and "TODO" not in text


def test_aar_log_is_appended_from_the_store(
    seed_state: ClusterState, seed_report_dict: dict[str, Any], seed_inventory: Inventory, tmp_path: Path
) -> None:
    with IncidentStore(tmp_path / "i.db") as store:
        store.create(IncidentDraft(title="k3s1 Networking Failure", severity="P1", date="2025-06-14"))
        incidents = store.incidents()
    text = render_docs(build_paperwork(seed_state, seed_report_dict, seed_inventory), incidents)
    assert "9. [AAR Log](#aar-log)" in text
    assert (
        "**Last Incident**: k3s1 Networking Failure (June 14, 2025, open) - See [AAR Log](#aar-log)" in text
    )
    assert "\n## AAR Log\n\n### AAR: k3s1 Networking Failure (June 14, 2025)\n" in text


def test_comparable_ignores_only_timestamps_and_ages() -> None:
    doc = (
        "# T\n**Last Update**: 2025-06-16 03:00 UTC  \nNode k3s1 is NotReady for 3h; 512GB NVMe, k3s2 at 0/1\n"
        "---\n**Last Updated**: 2025-06-16 03:00 UTC  \n"
    )
    later = doc.replace("03:00", "04:00").replace("for 3h", "for 1d2h")
    assert comparable(doc) == comparable(later)
    assert comparable(doc) != comparable(later.replace("k3s1", "k3s2"))
    assert comparable(doc) != comparable(later.replace("0/1", "1/1"))
    assert comparable(doc)[1] == "Node k3s1 is NotReady for <age>; 512GB NVMe, k3s2 at 0/1"


def test_comparable_leaves_out_status_blocks_lines_and_columns() -> None:
    doc = "\n".join(
        [
            "# T",
            STATUS_BEGIN,
            "**Status**: ❌ Critical",
            STATUS_END,
            "- **Status**: ❌ NotReady",
            "- **RAM**: 64GB",
            "| Service | URL | Status | Notes |",
            "|---|---|---|---|",
            "| Sonarr | http://s | ❌ Down: 0/1 ready | media \\| tv |",
            "",
        ]
    )
    healed = (
        doc.replace("❌ Critical", "✅ OK")
        .replace("❌ NotReady", "✅ Ready")
        .replace("❌ Down: 0/1 ready", "✅ Running")
    )
    assert comparable(doc) == comparable(healed)
    assert comparable(doc) != comparable(doc.replace("64GB", "128GB"))
    assert comparable(doc) != comparable(doc.replace("media \\| tv", "media"))
    assert comparable(doc) != comparable(doc.replace("| Sonarr |", "| Radarr |"))


def test_cli_docs_write_and_check(
    run_cli: RunCli, tmp_path: Path, seed_snapshot: Path, seed_inventory_file: Path
) -> None:
    out = tmp_path / "CLUSTER-SETUP.md"
    args = ["--snapshot", str(seed_snapshot), "--inventory", str(seed_inventory_file)]
    legacy = run_cli("docs", *args, "-o", str(out))  # the old spelling, for one release
    assert legacy.exit_code == 0 and "deprecated: -o FILE is now --output-file FILE" in legacy.stderr
    result = run_cli("docs", *args, "--output-file", str(out))
    assert result.exit_code == 0, result.output
    assert "deprecated" not in result.stderr
    text = out.read_text()
    assert text.startswith("# K3s Homelab Cluster Setup Documentation\n")
    assert "### Media Stack (`/clusters/k3s-home/apps/media/`)" in text
    fresh = run_cli("docs", *args, "-o", str(out), "--check")
    assert fresh.exit_code == 0 and "is up to date" in fresh.stderr
    # A later reference time changes only the stamps: still up to date.
    assert run_cli("docs", *args, "--now", "2025-06-17T09:00:00Z", "-o", str(out), "--check").exit_code == 0
    # Health changed, inventory did not: a scaled-down app and a node gone NotReady are live status.
    objs = json.loads(seed_snapshot.read_text())
    for item in objs["items"]:
        if item["kind"] == "Deployment" and item["metadata"]["name"] == "whisparr":
            item["spec"]["replicas"] = 0
        if item["kind"] == "Node" and item["metadata"]["name"] == "k3s2":
            for condition in item["status"]["conditions"]:
                if condition["type"] == "Ready":
                    condition["status"] = "Unknown"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(objs))
    unhealthy = run_cli(
        "docs",
        "--snapshot",
        str(changed),
        "--inventory",
        str(seed_inventory_file),
        "--output-file",
        str(out),
        "--check",
    )
    assert unhealthy.exit_code == 0, unhealthy.stderr
    assert (
        "| Whisparr | http://whisparr.fletcherlabs.net | ❌ Down"
        in run_cli("docs", "--snapshot", str(changed), "--inventory", str(seed_inventory_file)).stdout
    )  # still shown
    # The inventory changed: stale, with the diff on stderr.
    edited = tmp_path / "edited.yaml"
    edited.write_text(seed_inventory_file.read_text().replace("ram_gb: 384", "ram_gb: 512", 1))
    assert "ram_gb: 512" in edited.read_text()
    stale = run_cli("docs", *args[:2], "--inventory", str(edited), "--output-file", str(out), "--check")
    assert stale.exit_code == 1
    assert "+- **RAM**: 512GB" in stale.stderr
    assert f"{out} is stale" in stale.stderr
    assert out.read_text() == text  # --check never writes
    assert run_cli("docs", *args, "--check").exit_code == 2  # nothing to compare with


def test_cli_docs_with_aar(
    run_cli: RunCli, tmp_path: Path, seed_snapshot: Path, seed_inventory_file: Path
) -> None:
    db = tmp_path / "i.db"
    run_cli(
        "incident", "new", "--db", str(db), "--title", "Gateway HTTPS/TLS Resolution", "--date", "2025-06-14"
    )
    result = run_cli(
        "docs",
        "--snapshot",
        str(seed_snapshot),
        "--inventory",
        str(seed_inventory_file),
        "--with-aar",
        "--db",
        str(db),
    )
    assert result.exit_code == 0, result.output
    assert "### AAR: Gateway HTTPS/TLS Resolution (June 14, 2025)" in result.stdout


@pytest.mark.parametrize("bad", ["apps: [", "version: 2\ncluster: {name: x}\n"])
def test_cli_docs_with_invalid_inventory_exits_2(
    run_cli: RunCli, tmp_path: Path, seed_snapshot: Path, bad: str
) -> None:
    inventory = tmp_path / "homelab.yaml"
    inventory.write_text(bad)
    result = run_cli("docs", "--snapshot", str(seed_snapshot), "--inventory", str(inventory))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"homelabctl: error: {inventory}:") and result.stderr.count("\n") == 1
