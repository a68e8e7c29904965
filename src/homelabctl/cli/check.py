"""`homelabctl check`, `diagnose` and `rules`."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import click

from homelabctl.cli import leave_at_exit
from homelabctl.cli.common import SourceOptions, source_options
from homelabctl.cli.options import (
    emit,
    fail_on_option,
    ignore_options,
    namespace_options,
    output_options,
    schema_option,
)
from homelabctl.model import Layer, Severity
from homelabctl.report import renderers

LAYERS = [layer.value for layer in Layer]
SEVERITIES = [s.value for s in Severity]


def _console(output_file: Path | None) -> Any:
    from rich.console import Console

    if output_file is not None:  # a file is not a terminal: plain text, see _file_text
        return Console(
            file=io.StringIO(), width=140, force_terminal=False, color_system=None, highlight=False
        )
    return Console(highlight=False)


def _is_terminal() -> bool:
    return sys.stdout.isatty()


def _file_text(console: Any) -> str:
    buffer: io.StringIO = console.file
    return buffer.getvalue()


def _run(
    source: SourceOptions,
    quiet_progress: bool,
) -> Any:
    from homelabctl.gcutil import gc_paused

    # Importing the check path builds tens of thousands of objects that live as long as the process, and no
    # garbage: the cyclic collector would scan them some 25 times over (~3.5 ms at each start). Frozen, as
    # the loader freezes the snapshot, so that no later collection scans them either.
    with gc_paused(freeze=True):
        from homelabctl.analysis import analyze
        from homelabctl.engine import required_kinds, select_checks

        # every check runs whatever --layer or -n say: a node symptom's cause may sit in the network layer
        specs = select_checks(None)
    state = source.load(required_kinds(specs), progress=not quiet_progress)
    analysis = analyze(state, specs)
    # the process ends with the command: the OS frees the snapshot, not the interpreter object by object
    leave_at_exit(analysis)
    return analysis


def _ignores(skip: tuple[str, ...], ignore_file: Path | None) -> Any:
    from homelabctl.checks.registry import all_checks
    from homelabctl.errors import InputError
    from homelabctl.ignorefile import load_ignores

    known = {spec.id for spec in all_checks()}
    for check_id in skip:
        if check_id not in known:
            raise InputError(f"--skip {check_id}: no such check (see `homelabctl rules`)")
    ignores = load_ignores(ignore_file, skip=skip)
    for warning in ignores.warnings:
        click.echo(f"homelabctl: warning: {warning}", err=True)
    return ignores


def _shown(
    analysis: Any,
    layers: tuple[str, ...],
    min_severity: str | None,
    namespaces: tuple[str, ...],
    skip: tuple[str, ...],
    ignore_file: Path | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report as shown, and the report that decides the exit code (the same minus --min-severity:
    hiding findings below it changes what is printed, never whether the run fails)."""
    from homelabctl.report.filters import filter_report

    ignores = _ignores(skip, ignore_file)
    gate = filter_report(analysis.report, layers, None, namespaces, ignores)
    report = filter_report(gate, (), Severity(min_severity)) if min_severity else gate
    return report, gate


def _exit_code(gate: dict[str, Any], fail_on: Severity | None) -> int:
    from homelabctl.report.filters import exit_code_for

    return exit_code_for(gate, fail_on)


def _exit(gate: dict[str, Any], fail_on: Severity | None) -> None:
    code = _exit_code(gate, fail_on)
    if code:
        raise SystemExit(code)


def _emit(renderer: renderers.Renderer, report: Any, output_file: Path | None, **options: object) -> None:
    """Text renderers write to stdout or the file; a terminal renderer draws on the terminal."""
    text = renderers.render(renderer, report, None if renderer.takes_report else _console(None), **options)
    if text is not None:
        emit(text, output_file)


@click.command("check")
@source_options
@output_options(renderers.formats("check"), "table")
@fail_on_option
@namespace_options
@ignore_options
@click.option(
    "--layer", "layers", multiple=True, type=click.Choice(LAYERS), help="Only these layers (repeatable)."
)
@click.option("--min-severity", type=click.Choice(SEVERITIES), default=None, help="Hide findings below this.")
@click.option(
    "-v", "--verbose", is_flag=True, help="Table: list every symptom and next step under each root cause."
)
@schema_option(shared_with="scan")
def check_cmd(
    source: SourceOptions,
    fmt: str,
    output_file: Path | None,
    fail_on: Severity | None,
    namespaces: tuple[str, ...],
    skip: tuple[str, ...],
    ignore_file: Path | None,
    layers: tuple[str, ...],
    min_severity: str | None,
    verbose: bool,
    schema_version: str,
) -> None:
    """Check the cluster bottom-up (network, node, storage, platform, workloads, ...).

    Reads the current kubeconfig context, or --snapshot files, or the embedded --demo cluster.
    Exit codes: 0 nothing shown at or above --fail-on, 1 something is, 2 bad input or unreadable source.
    """
    analysis = _run(
        source,
        quiet_progress=fmt != "table",
    )
    report, gate = _shown(analysis, layers, min_severity, namespaces, skip, ignore_file)
    renderer = renderers.for_output("check", fmt, terminal=output_file is None and _is_terminal())
    if renderer.envelope and schema_version == "v2":
        from homelabctl.report.envelope import check_v2

        report = check_v2(report, analysis.state.errors, manifest_objects=analysis.run.manifest_objects)
    _emit(renderer, report, output_file, verbose=verbose, success=_exit_code(gate, fail_on) == 0)
    _exit(gate, fail_on)


@click.command("diagnose")
@source_options
@output_options(renderers.formats("diagnose"), "table", renamed={"tree": "table"})
@fail_on_option
@namespace_options
@ignore_options
@click.option("-v", "--verbose", is_flag=True, help="List every symptom, all evidence and every next step.")
def diagnose_cmd(
    source: SourceOptions,
    fmt: str,
    output_file: Path | None,
    fail_on: Severity | None,
    namespaces: tuple[str, ...],
    skip: tuple[str, ...],
    ignore_file: Path | None,
    verbose: bool,
) -> None:
    """Root causes first: what is broken, why we think so, and the exact commands to run next.

    Each cause fits in six lines; --verbose adds its symptoms, all its evidence and every next step.
    Exit codes: 0 nothing shown at or above --fail-on, 1 something is, 2 bad input or unreadable source.
    """
    analysis = _run(
        source,
        quiet_progress=fmt != "table",
    )
    report, gate = _shown(analysis, (), None, namespaces, skip, ignore_file)
    renderer = renderers.for_output("diagnose", fmt, terminal=output_file is None and _is_terminal())
    _emit(renderer, report, output_file, verbose=verbose)
    _exit(gate, fail_on)


@click.command("rules")
@output_options(["table", "json", "markdown"], "table")
@click.option("--layer", "layers", multiple=True, type=click.Choice(LAYERS))
def rules_cmd(fmt: str, output_file: Path | None, layers: tuple[str, ...]) -> None:
    """List every check (and diagnosis rule) with its id, layer, severity and title."""
    from homelabctl.docs_gen import rules_markdown, rules_rows

    rows = [r for r in rules_rows() if not layers or r["layer"] in layers]
    if fmt == "json":
        emit(json.dumps(rows, indent=2) + "\n", output_file)
    elif fmt == "markdown":
        emit(rules_markdown(), output_file)
    else:
        from rich.table import Table

        console = _console(output_file)
        if console.is_terminal:
            table = Table(title=f"{len(rows)} rules")
            for col in ("id", "kind", "layer", "severity", "title"):
                table.add_column(col)
            for r in rows:
                table.add_row(r["id"], r["type"], r["layer"], r["severity"], r["title"])
            console.print(table)
        else:
            from rich.text import Text

            for r in rows:
                console.print(
                    Text(f"{r['id']:36} {r['type']:9} {r['layer']:10} {r['severity']:8} {r['title']}"),
                    soft_wrap=True,
                )
        if output_file is not None:
            emit(_file_text(console), output_file)
