"""`homelabctl check`, `diagnose` and `rules`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from homelabctl.cli.common import load_state, make_source, source_options
from homelabctl.model import Layer, Severity

LAYERS = [layer.value for layer in Layer]
SEVERITIES = [s.value for s in Severity]


def _console(output_file: Path | None) -> Any:
    from rich.console import Console

    if output_file is not None:
        return Console(file=output_file.open("w", encoding="utf-8"), width=140, force_terminal=False,
                       color_system=None)
    return Console()


def _write(text: str, output_file: Path | None) -> None:
    if output_file is None:
        sys.stdout.write(text)
    else:
        output_file.write_text(text, encoding="utf-8")


def _run(demo: bool, snapshots: tuple[Path, ...], kubeconfig: Path | None, kube_context: str | None,
         request_timeout: float, deadline: float, now_text: str | None, layers: tuple[str, ...],
         quiet_progress: bool) -> Any:
    from homelabctl.analysis import analyze
    from homelabctl.engine import required_kinds, select_checks

    specs = select_checks([Layer(v) for v in layers] if layers else None)
    source = make_source(demo, snapshots, kubeconfig, kube_context, request_timeout, deadline,
                         progress=not quiet_progress)
    state = load_state(source, required_kinds(specs), now_text)
    return analyze(state, specs)


@click.command("check")
@source_options
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json", "markdown", "prometheus"]),
              default="table", show_default=True, help="Report format.")
@click.option("--output-file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the report to this file instead of stdout.")
@click.option("--layer", "layers", multiple=True, type=click.Choice(LAYERS), help="Only these layers (repeatable).")
@click.option("--min-severity", type=click.Choice(SEVERITIES), default=None, help="Hide findings below this.")
@click.option("--fail-on", type=click.Choice([*SEVERITIES, "never", "none"]), default="critical",
              show_default=True, help="Exit 1 when a finding is at or above this severity ('never'/'none': never).")
@click.option("--schema", "schema_version", type=click.Choice(["v2", "v1"]), default="v2", show_default=True,
              help="JSON report version (-o json): v2 is the envelope shared with `scan`; v1 is kept for a release.")
def check_cmd(demo: bool, snapshots: tuple[Path, ...], kubeconfig: Path | None, kube_context: str | None,
              request_timeout: float, deadline: float, now_text: str | None, fmt: str, output_file: Path | None,
              layers: tuple[str, ...], min_severity: str | None, fail_on: str, schema_version: str) -> None:
    """Check the cluster bottom-up (network, node, storage, platform, workloads, ...).

    Reads the current kubeconfig context, or --snapshot files, or the embedded --demo cluster.
    Exit codes: 0 nothing at or above --fail-on, 1 something is, 2 bad input or unreadable source.
    """
    from homelabctl.report.filters import exit_code_for, filter_report

    # every check runs whatever --layer says: a node symptom's cause may sit in the network layer
    analysis = _run(demo, snapshots, kubeconfig, kube_context, request_timeout, deadline, now_text, (),
                    quiet_progress=fmt != "table")
    report = filter_report(analysis.report, layers, Severity(min_severity) if min_severity else None)
    # hiding findings below --min-severity changes what is printed, never whether the run fails
    gate = filter_report(analysis.report, layers) if min_severity else report
    if fmt == "json":
        from homelabctl.report.render_json import render_json

        if schema_version == "v2":
            from homelabctl.report.envelope import check_v2

            report = check_v2(report, analysis.state.errors, manifest_objects=analysis.run.manifest_objects)
        _write(render_json(report), output_file)
    elif fmt == "markdown":
        from homelabctl.report.render_markdown import render_markdown

        _write(render_markdown(report), output_file)
    elif fmt == "prometheus":
        from homelabctl.report.render_prometheus import render_prometheus

        _write(render_prometheus(report), output_file)
    else:
        from homelabctl.report.render_table import render_table

        render_table(report, _console(output_file))
    code = exit_code_for(gate, None if fail_on in ("never", "none") else Severity(fail_on))
    if code:
        raise SystemExit(code)


@click.command("diagnose")
@source_options
@click.option("-o", "--output", "fmt", type=click.Choice(["tree", "json", "markdown"]), default="tree",
              show_default=True)
def diagnose_cmd(demo: bool, snapshots: tuple[Path, ...], kubeconfig: Path | None, kube_context: str | None,
                 request_timeout: float, deadline: float, now_text: str | None, fmt: str) -> None:
    """Root causes first: each cause with its evidence, the symptoms it explains and next steps."""
    from homelabctl.report.render_diagnose import render_diagnose_markdown, render_diagnose_tree

    analysis = _run(demo, snapshots, kubeconfig, kube_context, request_timeout, deadline, now_text, (),
                    quiet_progress=fmt == "json")
    report = analysis.report
    if fmt == "json":
        payload = {"schema": report["schema"], "source": report["source"], "root_causes": report["root_causes"],
                   "findings": report["findings"]}
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(render_diagnose_markdown(report))
    else:
        from rich.console import Console

        render_diagnose_tree(report, Console())


@click.command("rules")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True)
@click.option("--layer", "layers", multiple=True, type=click.Choice(LAYERS))
def rules_cmd(fmt: str, layers: tuple[str, ...]) -> None:
    """List every check (and diagnosis rule) with its id, layer, severity and title."""
    from homelabctl.docs_gen import rules_markdown, rules_rows

    rows = [r for r in rules_rows() if not layers or r["layer"] in layers]
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(rules_markdown())
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{len(rows)} rules")
        for col in ("id", "kind", "layer", "severity", "title"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["id"], r["type"], r["layer"], r["severity"], r["title"])
        Console().print(table)


