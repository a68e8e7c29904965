"""Single points of failure and `whatif`: what goes down with a host or a node."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factories_paperwork import RunCli, app_deployment, seed_cluster
from homelabctl.errors import InputError
from homelabctl.inventory.model import Inventory
from homelabctl.paperwork.failure import find_spofs, whatif
from homelabctl.sources.base import ClusterState

from factories import state


def test_spofs_control_plane_storage_host_and_single_node_classes(
    seed_state: ClusterState, seed_inventory: Inventory
) -> None:
    spofs = {(s.kind, s.subject): s for s in find_spofs(seed_state, seed_inventory)}
    assert set(spofs) == {
        ("control-plane", "k3s-master1"),
        ("host", "r730"),
        ("storage-class", "longhorn-nvme"),
        ("storage-class", "longhorn-optane"),
    }
    r730 = spofs[("host", "r730")]
    assert r730.summary == (
        "Dell R730 carries the control-plane VM k3s-master1 and the NFS storage (nfs-media): "
        "single point of failure"
    )
    assert "1 volume(s) lost" in r730.impact
    assert spofs[("storage-class", "longhorn-optane")].impact == ("1 PVC(s) use it",)


def test_host_spofs_follow_the_cluster_not_only_the_inventory(
    seed_state: ClusterState, seed_inventory: Inventory
) -> None:
    # The control-plane VM moves to the R630 and homelab.yaml forgets the NFS tier...
    hosts = [
        h.model_copy(update={"host": "r630"}) if h.name == "k3s-master1" else h for h in seed_inventory.hosts
    ]
    hosts = [h.model_copy(update={"nfs_exports": []}) if h.name == "r730" else h for h in hosts]
    storage = [t for t in seed_inventory.storage if t.technology != "NFS"]
    moved = seed_inventory.model_copy(update={"hosts": hosts, "storage": storage})
    spofs = {(s.kind, s.subject): s for s in find_spofs(seed_state, moved)}
    # ...but the media PV still mounts 192.168.10.30 (the R730's address): it stays a storage SPOF.
    assert spofs[("host", "r730")].summary == (
        "Dell R730 carries the NFS storage (nfs-media): single point of failure"
    )
    # The R630 now carries the control plane, which is the control-plane SPOF already, not a second one.
    assert ("host", "r630") not in spofs and ("control-plane", "k3s-master1") in spofs


def test_whatif_storage_host_lists_control_plane_nfs_apps_and_urls(
    seed_state: ClusterState, seed_inventory: Inventory
) -> None:
    impact = whatif("r730", seed_state, seed_inventory)
    assert impact.target_kind == "host" and impact.hosts == ["k3s-master1", "r730"]
    assert impact.nodes == ["k3s-master1"] and impact.control_plane_lost
    assert [(s.name, s.technology) for s in impact.storage] == [("nfs-media", "NFS")]
    assert [(v.namespace, v.claim, v.reason) for v in impact.volumes] == [
        ("media", "media-nfs", "NFS 192.168.10.30:/mnt/rust/media")
    ]
    assert [(a.name, a.effect) for a in impact.apps] == [
        ("Jellyfin", "down"),
        ("Radarr", "down"),
        ("Sonarr", "down"),
    ]
    assert impact.urls == [
        "http://jellyfin.fletcherlabs.net",
        "http://radarr.fletcherlabs.net",
        "http://sonarr.fletcherlabs.net",
    ]
    assert all(a.name != "Whisparr" for a in impact.apps)  # Longhorn on k3s3, not NFS
    # "R730" (the model) works as well as the host id.
    assert whatif("R730", seed_state, seed_inventory).hosts == impact.hosts


def test_whatif_gpu_node_loses_its_local_volumes_single_node_classes_and_gpu_work(
    seed_state: ClusterState, seed_inventory: Inventory
) -> None:
    impact = whatif("k3s3", seed_state, seed_inventory)
    assert impact.target_kind == "node" and not impact.control_plane_lost
    assert {v.claim: v.reason for v in impact.volumes} == {
        "whisparr-config": "storage class longhorn-optane: all backing nodes fail (k3s3)",
        "prometheus-db": "pinned to k3s3 (local-path)",
    }
    effects = {a.name: (a.effect, a.reason) for a in impact.apps}
    assert effects["Prometheus"][0] == "down" and effects["Whisparr"][0] == "down"
    assert effects["Ollama"] == (
        "down",
        "Deployment ollama: ran on k3s3; needs nvidia.com/gpu, which no surviving node has",
    )
    assert effects["Jellyfin"][0] == "rescheduled"  # its Longhorn volume has replicas on k3s1/k3s2


def test_whatif_worker_pods_reschedule_unless_pinned() -> None:
    objs = [
        *seed_cluster(),
        *app_deployment("sabnzbd", "media", ["k3s1"], node_selector={"kubernetes.io/hostname": "k3s1"}),
    ]
    impact = whatif("k3s1", state(objs), None)
    workloads = {w.name: (w.effect, w.reason) for w in impact.workloads}
    assert workloads["radarr"] == ("rescheduled", "ran on k3s1; restarts on another node after ~5 min")
    assert workloads["sabnzbd"] == ("down", "ran on k3s1; pinned to k3s1")
    assert impact.hosts == [] and impact.storage == []


def test_whatif_unknown_target() -> None:
    with pytest.raises(InputError, match=r"unknown host or node 'r720' \(known: .*k3s1"):
        whatif("r720", state(seed_cluster()), None)


def test_cli_whatif_formats(run_cli: RunCli, seed_snapshot: Path, seed_inventory_file: Path) -> None:
    text = run_cli(
        "whatif", "r730", "--snapshot", str(seed_snapshot), "--inventory", str(seed_inventory_file)
    )
    assert text.exit_code == 0, text.output
    assert "Control plane: LOST" in text.stdout and "http://sonarr.fletcherlabs.net" in text.stdout
    data = json.loads(
        run_cli(
            "whatif",
            "r730",
            "--snapshot",
            str(seed_snapshot),
            "--inventory",
            str(seed_inventory_file),
            "-o",
            "json",
        ).stdout
    )
    assert data["control_plane_lost"] is True and data["nodes"] == ["k3s-master1"]
    assert "http://jellyfin.fletcherlabs.net" in data["urls"]
    markdown = run_cli(
        "whatif",
        "k3s3",
        "--snapshot",
        str(seed_snapshot),
        "--inventory",
        str(seed_inventory_file),
        "-o",
        "markdown",
    ).stdout
    assert markdown.startswith("## What if node `k3s3` fails") and "| Ollama | ai |" in markdown
    bad = run_cli("whatif", "nas", "--snapshot", str(seed_snapshot), "--inventory", str(seed_inventory_file))
    assert bad.exit_code == 2 and "unknown host or node 'nas'" in bad.stderr
