"""Fixtures for the paperwork tests: the seed-shaped cluster as state and as a snapshot file, its inventory,
and a CLI runner that goes through `homelabctl.cli.main` (so errors map to exit codes as for a user)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from factories_paperwork import SEED_INVENTORY, RunCli, seed_cluster, seed_report
from homelabctl.cli import main
from homelabctl.inventory.load import parse_inventory_text
from homelabctl.inventory.model import Inventory
from homelabctl.sources.base import ClusterState

from factories import state


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def _entry(args: tuple[str, ...]) -> None:
    main(list(args))


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> RunCli:
    """Run homelabctl with the user's incident database and data dir kept out of the way."""
    monkeypatch.delenv("HOMELABCTL_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))

    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
        return CliRunner().invoke(_entry, list(args), env=env, input=input, catch_exceptions=False)

    return run


@pytest.fixture
def seed_state() -> ClusterState:
    """The seed-shaped cluster, as a capture that read every workload kind (none of some, such as
    StatefulSets): an app missing from it is really not deployed."""
    from homelabctl.inventory.compare import APP_KINDS
    from homelabctl.sources.base import KindStatus

    captured = state(seed_cluster())
    for gk in APP_KINDS:
        captured.kind_status.setdefault(gk, KindStatus("available"))
    return captured


@pytest.fixture
def seed_inventory() -> Inventory:
    inventory, problems = parse_inventory_text(SEED_INVENTORY)
    assert inventory is not None, problems
    return inventory


@pytest.fixture
def seed_report_dict() -> dict[str, Any]:
    return seed_report()


@pytest.fixture
def seed_snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "cluster.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": seed_cluster()}))
    return path


@pytest.fixture
def seed_inventory_file(tmp_path: Path) -> Path:
    path = tmp_path / "homelab.yaml"
    path.write_text(SEED_INVENTORY)
    return path
