"""The paperwork on the embedded demo (the seed homelab in a bad hour), end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from factories_paperwork import RunCli
from homelabctl.inventory.load import parse_inventory_text

# The seed CLUSTER-SETUP's section skeleton (see test_docs_generator.SEED_SKELETON), for the demo's hardware.
DEMO_SKELETON = [
    "# K3s Homelab Cluster Setup Documentation",
    "## 📊 Cluster Health Status",
    "### 🚨 Root Causes",
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
    "### Current State Summary",
    "### Priority 0 - Critical",
    "## Deployed Applications",
    "### Media Stack (`/clusters/k3s-home/apps/media/`)",
    "### AI Stack (`/clusters/k3s-home/apps/ai/`)",
    "### Infrastructure (`/clusters/k3s-home/infrastructure*/`)",
    "## Storage Architecture",
    "### Storage Tiers",
    "### GPU Architecture",
    "## Failure Domains",
    "## Quick Reference",
    "### Common Commands",
    "### Key File Locations",
    "### Important URLs",
]


def _rows(text: str) -> dict[str, list[str]]:
    return {
        cells[0]: cells
        for line in text.splitlines()
        if line.startswith("| ")
        for cells in [[c.strip() for c in line.strip("|").split(" | ")]]
    }


def test_docs_demo_has_the_seed_structure_and_live_statuses(run_cli: RunCli) -> None:
    result = run_cli("docs", "--demo")
    assert result.exit_code == 0, result.output
    text = result.stdout
    headings = [line for line in text.splitlines() if line.startswith("#")]
    positions = [headings.index(h) for h in DEMO_SKELETON]
    assert positions == sorted(positions)
    rows = _rows(text)
    assert rows["Jellyfin"][:2] == ["Jellyfin", "http://jellyfin.fletcherlabs.net"]
    assert rows["Jellyfin"][2].startswith("⚠️ Running: ")  # GPU findings
    assert rows["Sonarr"][2] == "✅ Running"
    assert rows["Bazarr"][2].startswith("❌ Down") and "scaled to 0" in rows["Bazarr"][2]
    assert rows["SABnzbd"][2].startswith("❌ Down")
    assert rows["Recyclarr"][:3] == ["Recyclarr", "N/A", "✅ Running"]
    assert rows["Prometheus"][2].startswith("⚠️ Running: ") and "no authentication" in rows["Prometheus"][2]
    assert rows["Velero"][2].startswith("⚠️ Degraded") and "minio" in rows["Velero"][2]
    assert rows["k3s3"] == [
        "k3s3",
        "Tesla T4 16GB",
        "Time-slicing",
        "nvidia.com/gpu: 4",
        "No memory isolation between workloads",
    ]
    assert rows["**Bulk Media**"][:3] == ["**Bulk Media**", "NFS", "R730"]
    assert "**Nodes**: 3/4 Ready (k3s1 NotReady)  " in text.splitlines()
    assert "| requests.fletcherlabs.net | media | requests |" in text  # served, not declared
    assert "HOMELABCTL_TEST_SECRET" not in text and "homelabctl-redacted" not in text


def test_docs_demo_is_deterministic_and_checks_clean(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "CLUSTER-SETUP.md"
    assert run_cli("docs", "--demo", "--output-file", str(out)).exit_code == 0
    assert run_cli("docs", "--demo").stdout == out.read_text()
    assert run_cli("docs", "--demo", "--output-file", str(out), "--check").exit_code == 0


def test_whatif_storage_host_on_the_demo(run_cli: RunCli) -> None:
    result = run_cli("whatif", "r730", "--demo", "-o", "json")
    assert result.exit_code == 0, result.output
    impact = json.loads(result.stdout)
    assert impact["nodes"] == ["k3s-master1"] and impact["control_plane_lost"] is True
    assert [s["name"] for s in impact["storage"]] == ["nfs"]
    down = {a["name"]: a for a in impact["apps"] if a["effect"] == "down"}
    # Every media app that mounts the R730's NFS export, with its URL.
    assert {"Jellyfin", "Plex", "Sonarr", "Radarr", "Lidarr", "Whisparr", "SABnzbd", "Prowlarr"} <= set(down)
    assert "http://plex.fletcherlabs.net" in impact["urls"]
    assert down["Plex"]["reason"] == "Deployment plex: loses volume 192.168.10.100:/mnt/rust/media"
    assert any("CoreDNS" in note for note in impact["notes"])
    text = run_cli("whatif", "r730", "--demo").stdout
    assert "Control plane: LOST" in text and "http://sonarr.fletcherlabs.net" in text


def test_handoff_demo(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("handoff", "--demo", "--db", str(tmp_path / "i.db"))
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith(
        "# DevOps Team Session Handoff - K3s Homelab Cluster\n\n## Session Summary (June 16, 2025)"
    )
    assert "1. **[P0] Node k3s1 has lost its pod network" in text
    # P0 only for what is down now (k3s1 and the apps on it); the other critical causes are P1
    priorities = [line for line in text.splitlines() if line[:1].isdigit() and "**[P" in line]
    assert [line.split("**[")[1][:2] for line in priorities].count("P0") == 1, priorities
    assert len(priorities) >= 10 and all("[P1]" in line for line in priorities[1:])
    assert "   - Impact: down now: node k3s1" in text
    # What's Working lists passing checks (by id), never a problem statement
    working = text.split("## What's Working")[1].split("## ")[0]
    assert "✅ Monitoring checks passing (2): `no-alertmanager`, `no-prometheus`" in working
    assert "none found" not in working and "ds/" not in text and "<group>" not in text
    assert "⚠️ Gateway: main-gateway (networking) at 192.168.10.224  " in text.splitlines()
    assert "⚠️ NO nginx ingress controller - Use HTTPRoute only  " in text.splitlines()


def test_inventory_init_and_check_on_the_demo(run_cli: RunCli) -> None:
    init = run_cli("inventory", "init", "--demo")
    assert init.exit_code == 0, init.output
    inventory, problems = parse_inventory_text(init.stdout)
    assert inventory is not None, problems
    data = yaml.safe_load(init.stdout)
    k3s3 = next(h for h in data["hosts"] if h["name"] == "k3s3")
    assert k3s3["gpus"][0]["model"] == "Tesla T4" and k3s3["gpus"][0]["replicas"] == 4
    assert data["network"]["bgp"] == {"local_asn": 64512, "peer_asn": 64513, "peer_address": "192.168.10.1"}
    assert data["network"]["ip_pool"] == "192.168.10.224/28"
    check = run_cli("inventory", "check", "--demo")
    assert check.exit_code == 1
    assert "error: app SABnzbd (media) is declared but down" in check.stdout
    assert "HTTPRoute media/requests serves requests.fletcherlabs.net" in check.stdout
    assert "node-missing" not in check.stdout and "storage class" not in check.stdout
