"""homelab.yaml: the model, the published JSON Schema, and errors that name the line to fix."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from factories_paperwork import SEED_INVENTORY
from homelabctl.errors import ConfigError
from homelabctl.inventory.load import InventoryError, load_inventory, parse_inventory_text
from homelabctl.inventory.load import demo_inventory_path as demo_path
from homelabctl.inventory.schema import SCHEMA_FILE, inventory_schema


def test_demo_inventory_is_the_seed_homelab() -> None:
    inv = load_inventory(demo_path())
    r730 = inv.host_named("r730")
    assert r730 is not None and [vm.name for vm in inv.vms_on("r730")] == ["k3s-master1"]
    assert [e.path for e in r730.nfs_exports] == ["/mnt/nvme_storage", "/mnt/rust/media"]
    r630 = inv.host_named("r630")
    assert r630 is not None and r630.gpus[0].model == "NVIDIA Tesla T4" and r630.gpus[0].replicas == 4
    assert [d.storage_class for d in r630.disks] == ["longhorn-optane", "longhorn-nvme", "longhorn-sas-ssd"]
    assert {n.name: n.host for n in inv.nodes} == {
        "k3s-master1": "k3s-master1",
        "k3s1": "optiplex-1",
        "k3s2": "optiplex-2",
        "k3s3": "r630",
    }
    assert inv.network.bgp is not None and (inv.network.bgp.local_asn, inv.network.bgp.peer_asn) == (
        64512,
        64513,
    )
    assert (inv.network.gateway_ip, inv.network.ip_pool, inv.network.domain) == (
        "192.168.10.224",
        "192.168.10.224/28",
        "fletcherlabs.net",
    )
    assert [s.name for s in inv.stacks] == ["media", "ai", "infrastructure"]
    guarded = sorted(a.name for a in inv.apps if a.must_have_auth)
    assert guarded == ["Grafana", "Longhorn", "Prometheus"]
    assert len([a for a in inv.apps if a.stack == "media"]) == 11  # the seed's media table


def test_published_schema_accepts_the_demo() -> None:
    """(Whether it is current: tests/test_generated.py.)"""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(yaml.safe_load(demo_path().read_text()), schema)
    jsonschema.validate(yaml.safe_load(SEED_INVENTORY), inventory_schema())


def test_schema_rejects_what_the_model_rejects() -> None:
    data = yaml.safe_load(SEED_INVENTORY)
    data["apps"][0]["must_have_auht"] = True
    with pytest.raises(jsonschema.ValidationError, match="must_have_auht"):
        jsonschema.validate(data, inventory_schema())


def _problems(text: str) -> list[str]:
    inventory, problems = parse_inventory_text(text, "homelab.yaml")
    assert inventory is None
    return [str(p) for p in problems]


def _with(old: str, new: str) -> str:
    assert old in SEED_INVENTORY
    return SEED_INVENTORY.replace(old, new, 1)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_typo_in_a_key_points_at_its_line() -> None:
    text = _with("must_have_auth: true}", "must_have_auht: true}")
    line = _line_of(text, "must_have_auht")
    assert _problems(text) == [
        f"homelab.yaml:{line}: apps[8].must_have_auht: unknown field (not in the "
        "homelab.yaml schema; a typo?)"
    ]


def test_bad_values_point_at_their_lines() -> None:
    text = _with("ram_gb: 384", "ram_gb: lots").replace(
        "url: http://sonarr.fletcherlabs.net", "url: sonarr.fletcherlabs.net"
    )
    problems = _problems(text)
    assert len(problems) == 2
    assert problems[0].startswith(f"homelab.yaml:{_line_of(text, 'ram_gb: lots')}: hosts[2].ram_gb: ")
    assert problems[1] == (
        f"homelab.yaml:{_line_of(text, 'url: sonarr')}: apps[1].url: must be an http:// or https:// URL"
    )


def test_missing_field_points_at_the_entry() -> None:
    text = _with("  - {name: k3s2, host: optiplex-2}", "  - {name: k3s2}")
    assert _problems(text) == [
        f"homelab.yaml:{_line_of(text, '{name: k3s2}')}: nodes[2].host: required field is missing"
    ]


def test_cross_references_and_network_are_checked_with_lines() -> None:
    text = (
        _with("host: r730, cpu", "host: r720, cpu")
        .replace("stack: ai, url", "stack: gpu, url")
        .replace("gateway_ip: 192.168.10.224", "gateway_ip: 192.168.20.5")
        .replace("      - {name: longhorn-nvme, nodes: [k3s3]", "      - {name: longhorn-nvme, nodes: [k3s9]")
    )
    assert _problems(text) == [
        f"homelab.yaml:{_line_of(text, 'host: r720')}: hosts[1].host: unknown host 'r720' (declare it under hosts)",
        f"homelab.yaml:{_line_of(text, 'nodes: [k3s9]')}: storage[0].classes[1].nodes[0]: unknown node 'k3s9'",
        f"homelab.yaml:{_line_of(text, 'gateway_ip: 192.168.20.5')}: network.gateway_ip: 192.168.20.5 is outside "
        "the IP pool 192.168.10.224/28",
        f"homelab.yaml:{_line_of(text, 'stack: gpu')}: apps[6].stack: unknown stack 'gpu' (declared: ai, "
        "infrastructure, media)",
    ]


def test_duplicate_keys_and_duplicate_names() -> None:
    text = _with("  ram_gb: 384\n", "  ram_gb: 384\n    ram_gb: 256\n").replace(
        "  - {name: k3s1, host: optiplex-1}", "  - {name: k3s2, host: optiplex-1}"
    )
    problems = _problems(text)
    assert (
        f"homelab.yaml:{_line_of(text, 'ram_gb: 256')}: hosts[2].ram_gb: duplicate key (first defined on line "
        f"{_line_of(text, 'ram_gb: 384')})" in problems
    )
    assert any("nodes[1].name: 'k3s2' is declared more than once" in p for p in problems)


def test_yaml_syntax_error_and_empty_file() -> None:
    text = _with("  cni: Cilium v1.15.6 with eBPF", "  cni: [Cilium")
    problems = _problems(text)
    assert len(problems) == 1 and problems[0].startswith("homelab.yaml:") and "invalid YAML" in problems[0]
    line = int(problems[0].split(":")[1])
    assert abs(line - _line_of(text, "cni: [Cilium")) <= 1
    assert _problems("") == ["homelab.yaml:1: the file is empty (start from `homelabctl inventory init`)"]
    assert _problems("- just\n- a list\n") == [
        "homelab.yaml:1: expected a mapping at the top level, found a list"
    ]


def test_load_raises_one_line_config_error(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "homelab.yaml"  # type: ignore[operator]
    path.write_text(
        _with("ram_gb: 384", "ram_gb: -1").replace("must_have_auth: true}", "must_have_auth: maybe}")
    )
    with pytest.raises(InventoryError) as caught:
        load_inventory(path)
    message = str(caught.value)
    assert (
        "\n" not in message and ":" in message and "(and 2 more: run `homelabctl inventory check`)" in message
    )
    assert len(caught.value.problems) == 3
    with pytest.raises(ConfigError, match="no such file"):
        load_inventory(tmp_path / "nope.yaml")  # type: ignore[operator]
