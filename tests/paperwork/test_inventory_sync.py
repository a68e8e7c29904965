"""`inventory init` (a homelab.yaml from the cluster) and `inventory check` (homelab.yaml against the cluster)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from factories_paperwork import SEED_INVENTORY, RunCli, gpu_node, seed_cluster
from homelabctl.inventory.compare import compare
from homelabctl.inventory.init import inventory_from_state, render_inventory_yaml
from homelabctl.inventory.load import InventoryDocument, load_inventory_document, parse_inventory_text
from homelabctl.sources.base import ClusterState

from factories import state


def test_init_reads_nodes_gpus_storage_network_and_routes(seed_state: ClusterState) -> None:
    data = inventory_from_state(seed_state)
    assert [(n["name"], n["roles"]) for n in data["nodes"]] == [
        ("k3s-master1", ["control-plane"]),
        ("k3s1", ["worker"]),
        ("k3s2", ["worker"]),
        ("k3s3", ["worker"]),
    ]
    k3s3 = next(h for h in data["hosts"] if h["name"] == "k3s3")
    assert k3s3["gpus"] == [
        {
            "model": "Tesla T4",
            "vram_gb": 15,
            "resource": "nvidia.com/gpu",
            "sharing": "time-slicing",
            "replicas": 4,
        }
    ]
    assert k3s3["ram_gb"] == 378 and k3s3["addresses"] == ["192.168.10.33"]
    tiers = {t["technology"]: t for t in data["storage"]}
    longhorn = {c["name"]: c for c in tiers["Longhorn"]["classes"]}
    assert longhorn["longhorn-optane"]["nodes"] == ["k3s3"]  # from the Longhorn disk tags
    assert longhorn["longhorn"]["nodes"] == ["k3s1", "k3s2", "k3s3"]
    assert longhorn["longhorn"]["use_case"] == "Default storage class"
    nfs_host = next(h for h in data["hosts"] if h.get("addresses") == ["192.168.10.30"])
    assert nfs_host["name"] == "nfs-192-168-10-30" and nfs_host["role"] == "NFS storage"
    assert tiers["NFS"]["classes"] == [{"name": "nfs-media", "hosts": ["nfs-192-168-10-30"]}]
    assert data["network"] == {"gateway_ip": "192.168.10.224", "domain": "fletcherlabs.net"}
    apps = {a["url"]: a for a in data["apps"]}
    assert apps["https://prometheus.fletcherlabs.net"]["must_have_auth"] is True
    assert apps["https://hubble.fletcherlabs.net"]["must_have_auth"] is True
    assert "must_have_auth" not in apps["http://sonarr.fletcherlabs.net"]  # http listener, not an admin UI
    assert apps["http://sonarr.fletcherlabs.net"]["namespace"] == "media"


def test_init_output_is_a_valid_inventory_that_checks_clean(seed_state: ClusterState) -> None:
    text = render_inventory_yaml(inventory_from_state(seed_state))
    assert text.startswith("# yaml-language-server: $schema=./homelab.schema.json\n")
    inventory, problems = parse_inventory_text(text)
    assert inventory is not None, problems
    doc = InventoryDocument(inventory, "homelab.yaml", yaml.compose(text, Loader=yaml.SafeLoader))
    drift = [d for d in compare(doc, seed_state) if d.level != "info"]
    # What init wrote matches the cluster, except the apps that are not running right now.
    assert {d.kind for d in drift} <= {"app-not-running", "app-degraded"}
    assert {d.subject for d in drift} == {"Bazarr", "Radarr"}


def test_check_reports_drift_with_inventory_lines(
    seed_state: ClusterState, seed_inventory_file: Path
) -> None:
    doc = load_inventory_document(seed_inventory_file)
    drift = {(d.kind, d.subject): d for d in compare(doc, seed_state)}
    lines = SEED_INVENTORY.splitlines()
    overseerr = drift[("app-not-running", "Overseerr")]
    assert overseerr.level == "error" and "not deployed" in overseerr.message
    assert overseerr.line is not None and "Overseerr" in lines[overseerr.line - 1]
    assert "scaled to 0" in drift[("app-not-running", "Bazarr")].message
    assert "authentik-secret" in drift[("app-not-running", "Authentik")].message
    assert drift[("route-undeclared", "hubble.fletcherlabs.net")].message == (
        "HTTPRoute kube-system/hubble-ui serves hubble.fletcherlabs.net, which no app in homelab.yaml declares"
    )
    assert ("app-url-unrouted", "Overseerr") in drift
    assert not any(kind == "app-url-scheme" for kind, _ in drift)


def test_check_flags_a_url_scheme_the_routes_do_not_serve(seed_state: ClusterState, tmp_path: Path) -> None:
    path = tmp_path / "homelab.yaml"
    path.write_text(
        SEED_INVENTORY.replace("url: http://sonarr.fletcherlabs.net", "url: https://sonarr.fletcherlabs.net")
    )
    drift = {(d.kind, d.subject): d for d in compare(load_inventory_document(path), seed_state)}
    scheme = drift[("app-url-scheme", "Sonarr")]
    assert scheme.level == "info" and scheme.message == (
        "app Sonarr declares https://sonarr.fletcherlabs.net, but its HTTPRoute only attaches to HTTP listeners"
    )
    assert not any(kind == "node-missing" for kind, _ in drift)
    assert ("app-not-running", "Jellyfin") not in drift


def test_check_finds_missing_nodes_gpu_capacity_and_network_drift(seed_inventory_file: Path) -> None:
    objs = [o for o in seed_cluster() if not (o["kind"] == "Node" and o["metadata"]["name"] == "k3s3")]
    objs.append(gpu_node("k3s3", replicas=2))
    extra = gpu_node("k3s4")
    objs.append(extra)
    doc = load_inventory_document(seed_inventory_file)
    drift = {(d.kind, d.subject): d for d in compare(doc, state(objs))}
    capacity = drift[("gpu-capacity", "k3s3")]
    assert capacity.message == (
        "node k3s3 advertises nvidia.com/gpu: 2, homelab.yaml expects 4 (time-slicing, replicas 4)"
    )
    assert "replicas: 4" in SEED_INVENTORY.splitlines()[capacity.line - 1] if capacity.line else False
    assert drift[("node-undeclared", "k3s4")].level == "warning"
    doc_missing = load_inventory_document(seed_inventory_file)
    no_k3s2 = [o for o in seed_cluster() if not (o["kind"] == "Node" and o["metadata"]["name"] == "k3s2")]
    missing = {(d.kind, d.subject): d for d in compare(doc_missing, state(no_k3s2))}
    assert (
        missing[("node-missing", "k3s2")].line
        == SEED_INVENTORY.splitlines().index("  - {name: k3s2, host: optiplex-2}") + 1
    )


def test_cli_init_and_check(
    run_cli: RunCli, tmp_path: Path, seed_snapshot: Path, seed_inventory_file: Path
) -> None:
    out = tmp_path / "new.yaml"
    result = run_cli("inventory", "init", "--snapshot", str(seed_snapshot), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.stderr and "4 nodes" in result.stderr
    assert (
        run_cli("inventory", "init", "--snapshot", str(seed_snapshot), "-o", str(out)).exit_code == 2
    )  # no clobber
    assert (tmp_path / "homelab.schema.json").is_file()  # the schema the file's first line points at
    assert json.loads((tmp_path / "homelab.schema.json").read_text())["$schema"].startswith(
        "https://json-schema.org/"
    )
    line = (
        SEED_INVENTORY.splitlines().index(next(x for x in SEED_INVENTORY.splitlines() if "Overseerr" in x))
        + 1
    )
    # StatefulSets and DaemonSets were never read: an app not found is "not compared", not "not deployed"
    partial = run_cli(
        "inventory", "check", "--snapshot", str(seed_snapshot), "--inventory", str(seed_inventory_file)
    )
    assert (
        f"{seed_inventory_file}:{line}: info: app Overseerr (media) not compared: not found among the kinds "
        "read (StatefulSets, DaemonSets not read)" in partial.stdout
    )
    assert "declared but not deployed" not in partial.stdout
    # empty typed lists: read, and there were none
    empty = tmp_path / "empty.yaml"
    empty.write_text(
        "apiVersion: apps/v1\nkind: StatefulSetList\nitems: []\n---\n"
        "apiVersion: apps/v1\nkind: DaemonSetList\nitems: []\n"
    )
    checked = run_cli(
        "inventory",
        "check",
        "--snapshot",
        str(seed_snapshot),
        "--snapshot",
        str(empty),
        "--inventory",
        str(seed_inventory_file),
    )
    assert checked.exit_code == 1
    assert f"{seed_inventory_file}: valid (6 hosts, 4 nodes, 10 apps)" in checked.stdout
    assert (
        f"{seed_inventory_file}:{line}: error: app Overseerr (media) is declared but not deployed"
        in checked.stdout
    )
    as_json = json.loads(
        run_cli(
            "inventory",
            "check",
            "--snapshot",
            str(seed_snapshot),
            "--inventory",
            str(seed_inventory_file),
            "-o",
            "json",
        ).stdout
    )
    assert as_json["valid"] is True and any(d["kind"] == "route-undeclared" for d in as_json["drift"])
    assert (
        run_cli("inventory", "check", "--validate-only", "--inventory", str(seed_inventory_file)).exit_code
        == 0
    )


def test_cli_check_invalid_file_exits_2_listing_every_line(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "homelab.yaml"
    bad.write_text(
        SEED_INVENTORY.replace("ram_gb: 384", "ram_gb: 0", 1).replace(
            "domain: fletcherlabs.net", "domian: fletcherlabs.net"
        )
    )
    result = run_cli("inventory", "check", "--validate-only", "--inventory", str(bad))
    assert result.exit_code == 2
    err = result.stderr.splitlines()
    lines = bad.read_text().splitlines()
    ram, domain = lines.index("    ram_gb: 0") + 1, lines.index("  domian: fletcherlabs.net") + 1
    assert err[0].startswith(f"{bad}:{ram}: hosts[2].ram_gb: ")
    assert (
        err[1] == f"{bad}:{domain}: network.domian: unknown field (not in the homelab.yaml schema; a typo?)"
    )
    assert err[-1] == f"homelabctl: error: {bad}: 2 problem(s); fix them and run again"


def test_cli_check_uses_demo_inventory_and_schema_command(run_cli: RunCli) -> None:
    result = run_cli("inventory", "check", "--demo", "--validate-only")
    assert result.exit_code == 0, result.output
    assert "valid (6 hosts, 4 nodes, 20 apps)" in result.stdout
    schema = json.loads(run_cli("inventory", "schema").stdout)
    assert schema["title"] == "Inventory" and "apps" in schema["properties"]
