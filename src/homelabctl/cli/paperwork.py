"""`homelabctl inventory init|check|schema`, `docs`, `whatif` and `handoff`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from homelabctl.cli.common import SourceOptions, source_options
from homelabctl.cli.options import emit, output_options
from homelabctl.errors import ConfigError, InputError

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_INVENTORY = Path("homelab.yaml")


def inventory_option(func: F) -> F:
    decorated: F = click.option(
        "--inventory",
        "inventory_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="homelab.yaml to use (default: ./homelab.yaml; with --demo, the demo's own).",
    )(func)
    return decorated


def _inventory_path(explicit: Path | None, demo: bool, *, required: bool) -> Path | None:
    if explicit is not None:
        return explicit
    if demo:
        from homelabctl.inventory.load import demo_inventory_path

        return demo_inventory_path()
    if DEFAULT_INVENTORY.exists():
        return DEFAULT_INVENTORY
    if required:
        raise ConfigError(
            "no homelab.yaml here: pass --inventory FILE, or create one with `homelabctl inventory init`"
        )
    return None


def _state(
    source: SourceOptions,
    *,
    checks: bool = True,
) -> Any:
    from homelabctl.paperwork.cluster import PAPERWORK_KINDS

    kinds = set(PAPERWORK_KINDS)
    if checks:
        from homelabctl.engine import required_kinds, select_checks

        kinds.update(required_kinds(select_checks()))
    return source.load(sorted(kinds))


def _analyze(state: Any) -> dict[str, Any]:
    from homelabctl.analysis import analyze

    report: dict[str, Any] = analyze(state).report
    return report


# -- inventory ------------------------------------------------------------------------------------------------
@click.group("inventory")
def inventory_group() -> None:
    """Create and check homelab.yaml: the hardware and intent the cluster cannot tell."""


@inventory_group.command("init")
@source_options
@output_options(["yaml"], "yaml", legacy_file=True)
@click.option(
    "--force", is_flag=True, help="Overwrite the --output-file (and its schema file) if they exist."
)
def init_cmd(
    source: SourceOptions,
    fmt: str,
    output_file: Path | None,
    force: bool,
) -> None:
    """Write a first homelab.yaml from the cluster (nodes, storage classes, GPUs, HTTPRoutes as apps).

    Hardware models, VMs, disks and notes are left as TODOs to complete; then run `inventory check`.
    With --output-file, the JSON Schema the file points editors at is written next to it.
    """
    from homelabctl.inventory.init import SCHEMA_NAME, inventory_from_state, render_inventory_yaml
    from homelabctl.inventory.model import Inventory
    from homelabctl.inventory.schema import schema_text

    schema_file = output_file.with_name(SCHEMA_NAME) if output_file is not None else None
    if output_file is not None and output_file.exists() and not force:
        raise InputError(f"{output_file} exists; pass --force to overwrite it")
    state = _state(source, checks=False)
    data = inventory_from_state(state)
    Inventory.model_validate(data)  # what we write must pass `inventory check`
    emit(render_inventory_yaml(data), output_file)
    if output_file is not None and schema_file is not None:
        # the file's first line points editors at ./homelab.schema.json: it must exist next to it
        schema_note = f" and {schema_file}"
        if force or not schema_file.exists():
            emit(schema_text(), schema_file)
        elif schema_file.read_text(encoding="utf-8") != schema_text():
            schema_note = f"; kept the existing {schema_file} (--force replaces it)"
        click.echo(
            f"Wrote {output_file} ({len(data['nodes'])} nodes, {len(data['apps'])} apps){schema_note}. "
            "Complete the TODOs, then run `homelabctl inventory check`.",
            err=True,
        )


@inventory_group.command("check")
@source_options
@inventory_option
@click.option("--validate-only", is_flag=True, help="Only validate the file; do not read the cluster.")
@output_options(["text", "json"], "text")
def check_inventory_cmd(
    source: SourceOptions,
    inventory_path: Path | None,
    validate_only: bool,
    fmt: str,
    output_file: Path | None,
) -> None:
    """Validate homelab.yaml (errors with line numbers) and compare it with the cluster.

    Reports nodes declared but missing, apps declared but not running, HTTPRoutes serving hostnames no
    app declares, storage classes and GPUs that differ. Exit codes: 0 in sync, 1 differences (errors or
    warnings), 2 the file is invalid.
    """
    import yaml

    from homelabctl.inventory.compare import compare
    from homelabctl.inventory.load import InventoryDocument, parse_inventory_text, read_inventory_text

    path = _inventory_path(inventory_path, source.demo, required=True)
    assert path is not None
    text = read_inventory_text(path)
    inventory, problems = parse_inventory_text(text, str(path))
    if inventory is None:
        if fmt == "json":
            emit(
                json.dumps(
                    {"file": str(path), "valid": False, "problems": [p.to_dict() for p in problems]}, indent=2
                )
                + "\n",
                output_file,
            )
        else:
            for problem in problems:
                click.echo(f"{problem}", err=True)
        raise ConfigError(f"{path}: {len(problems)} problem(s); fix them and run again")
    doc = InventoryDocument(inventory, str(path), yaml.compose(text, Loader=yaml.SafeLoader))
    drifts = []
    if not validate_only:
        state = _state(source, checks=False)
        drifts = compare(doc, state)
    failing = [d for d in drifts if d.level in ("error", "warning")]
    if fmt == "json":
        emit(
            json.dumps(
                {
                    "file": str(path),
                    "valid": True,
                    "compared": not validate_only,
                    "drift": [d.to_dict() for d in drifts],
                },
                indent=2,
            )
            + "\n",
            output_file,
        )
    else:
        lines = [
            f"{path}: valid ({len(inventory.hosts)} hosts, {len(inventory.nodes)} nodes, "
            f"{len(inventory.apps)} apps)"
        ]
        for drift in drifts:
            where = f"{path}:{drift.line}" if drift.line else str(path)
            lines.append(f"{where}: {drift.level}: {drift.message}")
        if not validate_only:
            counts = {
                level: sum(1 for d in drifts if d.level == level) for level in ("error", "warning", "info")
            }
            not_compared = sum(1 for d in drifts if d.kind == "not-compared")
            lines.append(
                (
                    "in sync with the cluster"
                    if not failing
                    else f"{len(failing)} difference(s) with the cluster ({counts['error']} error(s), "
                    f"{counts['warning']} warning(s))"
                )
                + (f"; {not_compared} part(s) not compared (not read)" if not_compared else "")
            )
        emit("\n".join(lines) + "\n", output_file)
    if failing:
        raise SystemExit(1)


@inventory_group.command("schema")
@output_options(["json"], "json")
def schema_cmd(fmt: str, output_file: Path | None) -> None:
    """Print the JSON Schema of homelab.yaml (for editor completion)."""
    from homelabctl.inventory.schema import schema_text

    emit(schema_text(), output_file)


# -- docs, whatif, handoff ------------------------------------------------------------------------------------
def _paperwork(
    source: SourceOptions,
    inventory_path: Path | None,
    *,
    checks: bool = True,
) -> Any:
    from homelabctl.inventory.load import load_inventory
    from homelabctl.paperwork.context import build_paperwork

    path = _inventory_path(inventory_path, source.demo, required=False)
    inventory = load_inventory(path) if path is not None else None
    state = _state(source, checks=checks)
    report = _analyze(state) if checks else {}
    return build_paperwork(state, report, inventory)


@click.command("docs")
@source_options
@inventory_option
@output_options(
    ["markdown"],
    "markdown",
    legacy_file=True,
    file_help="Write the document here (atomically) "
    "instead of stdout; with --check, the committed document to compare.",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Do not write: exit 1 if the --output-file's structure or declared facts differ from what "
    "would be generated (live statuses are ignored; for CI).",
)
@click.option("--with-aar", is_flag=True, help="Append the AAR Log from the incident database.")
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Incident database for --with-aar (default: $HOMELABCTL_DB, else the user data directory).",
)
def docs_cmd(
    source: SourceOptions,
    inventory_path: Path | None,
    fmt: str,
    output_file: Path | None,
    check_only: bool,
    with_aar: bool,
    db_path: Path | None,
) -> None:
    """Generate the cluster's living documentation (CLUSTER-SETUP structure) from homelab.yaml and the cluster.

    Stable ordering: regenerating changes only what changed, so the file can live in Git. Live statuses
    sit in marked status blocks; `--check --output-file CLUSTER-SETUP.md` exits 1 only when structure or
    declared facts differ (an inventory or topology change), not when health changes.
    """
    from homelabctl.paperwork.docs import comparable, render_docs

    if check_only and output_file is None:
        raise InputError("--check needs --output-file FILE (the committed document to compare)")
    work = _paperwork(source, inventory_path)
    incidents = None
    if with_aar:
        from homelabctl.incidents.store import IncidentStore, resolve_db_path

        with IncidentStore(resolve_db_path(db_path)) as store:
            incidents = store.incidents()
    text = render_docs(work, incidents)
    if check_only:
        assert output_file is not None
        try:
            current = output_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read {output_file}: {exc.strerror or exc}") from None
        if comparable(current) != comparable(text):
            import difflib

            diff = list(
                difflib.unified_diff(
                    comparable(current), comparable(text), str(output_file), "generated", lineterm="", n=1
                )
            )
            click.echo("\n".join(diff[:60]), err=True)
            click.echo(
                f"{output_file} is stale: regenerate it with `homelabctl docs --output-file {output_file}`",
                err=True,
            )
            raise SystemExit(1)
        click.echo(f"{output_file} is up to date", err=True)
        return
    emit(text, output_file)


@click.command("whatif")
@click.argument("target", metavar="HOST_OR_NODE")
@source_options
@inventory_option
@output_options(["text", "json", "markdown"], "text")
def whatif_cmd(
    target: str,
    source: SourceOptions,
    inventory_path: Path | None,
    fmt: str,
    output_file: Path | None,
) -> None:
    """Show which nodes, volumes, apps and URLs go down if HOST_OR_NODE fails.

    A host takes its VMs and their nodes with it, and every NFS volume it serves; a node takes its pods
    and the volumes pinned to it. Without homelab.yaml only node names are understood.
    """
    from homelabctl.paperwork.failure import render_whatif_markdown, render_whatif_text, whatif

    work = _paperwork(
        source,
        inventory_path,
        checks=False,
    )
    impact = whatif(target, work.state, work.inventory)
    if fmt == "json":
        emit(json.dumps(impact.to_dict(), indent=2) + "\n", output_file)
    elif fmt == "markdown":
        emit(render_whatif_markdown(impact), output_file)
    else:
        emit(render_whatif_text(impact), output_file)


@click.command("handoff")
@source_options
@inventory_option
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Incident database (default: $HOMELABCTL_DB, else the user data directory).",
)
@click.option(
    "--no-record", is_flag=True, help="Do not record this handoff (the next one reports since the previous)."
)
@output_options(["markdown"], "markdown", legacy_file=True)
def handoff_cmd(
    source: SourceOptions,
    inventory_path: Path | None,
    db_path: Path | None,
    no_record: bool,
    fmt: str,
    output_file: Path | None,
) -> None:
    """Generate a session handoff: summary since the last handoff, what's working, open P0/P1 items,
    architecture notes and verification commands. Records the handoff time in the incident database
    (not for --demo, unless --db is given)."""
    from homelabctl.incidents.store import IncidentStore, resolve_db_path
    from homelabctl.paperwork.handoff import HandoffLog, render_handoff

    work = _paperwork(source, inventory_path)
    with IncidentStore(resolve_db_path(db_path)) as store:
        previous = store.last_handoff()
        log = HandoffLog(
            previous, store.changes_since(previous), store.actions(status="open", priorities=("P0", "P1"))
        )
        text = render_handoff(work, log)
        emit(text, output_file)
        # the demo must not leave a mark in the user's real incident log unless they named a database
        if not no_record and not (source.demo and db_path is None):
            origin = work.report.get("source") or {}
            store.record_handoff(f"{origin.get('type', '')}: {origin.get('name', '')}")
