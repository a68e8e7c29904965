"""``homelabctl scan PATH``: audit a Flux GitOps repository before Flux applies it."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from homelabctl.cli import leave_at_exit
from homelabctl.cli.options import (
    fail_on_option,
    namespace_options,
    output_options,
    schema_option,
    write_atomic,
)
from homelabctl.errors import InputError
from homelabctl.model import Severity
from homelabctl.report import renderers

if TYPE_CHECKING:
    pass

OUTPUTS = tuple(renderers.formats("scan"))
MIN_SEVERITY = ("critical", "warning", "info")


def _size(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?\s*", text)
    if not match:
        raise InputError(f"--max-file-size: not a size: {text!r} (e.g. 10MB, 500k)")
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[match.group(2).lower()]
    return int(float(match.group(1)) * factor)


def _cache_dir(no_cache: bool) -> Path | None:
    if no_cache:
        return None
    env = os.environ.get("HOMELABCTL_CACHE_DIR")
    if env:
        return Path(env) / "kustomize"
    import platformdirs

    return Path(platformdirs.user_cache_dir("homelabctl")) / "kustomize"


def _uri_prefix(path: Path) -> str:
    """The scanned directory relative to the git checkout root (for SARIF locations)."""
    from homelabctl.scan.walk import git_toplevel

    top = git_toplevel(path)
    if top is None:
        return ""
    try:
        rel = path.resolve().relative_to(top.resolve())
    except ValueError:
        return ""
    return "" if str(rel) == "." else rel.as_posix()


@click.command("scan")
@click.argument("path", type=click.Path(path_type=Path), default=Path("."), required=False)
@output_options(OUTPUTS, "table")
@fail_on_option
@namespace_options
@click.option(
    "--min-severity",
    type=click.Choice(MIN_SEVERITY),
    default="info",
    show_default=True,
    help="Hide findings below this severity.",
)
@click.option("--history", is_flag=True, help="Also scan every commit of the git history for secrets.")
@click.option(
    "--history-limit", type=int, default=None, metavar="N", help="With --history: newest N commits only."
)
@click.option(
    "--kube-version",
    default=None,
    metavar="X.Y",
    help="Target Kubernetes version for removed APIs (default: scan.kube_version or 1.32).",
)
@click.option(
    "--k3s/--no-k3s",
    "k3s",
    default=None,
    help="The repo targets K3s (default: detect; K3s unless the repo names another distribution).",
)
@click.option(
    "--list", "list_objects", is_flag=True, help="Table: also list what each Flux Kustomization would apply."
)
@click.option(
    "--no-render", is_flag=True, help="Never run `kubectl kustomize` (patches/generators followed as files)."
)
@click.option("--no-cache", is_flag=True, help="Do not reuse or store rendered kustomize output.")
@click.option("--max-file-size", default="10MB", show_default=True, help="Skip files larger than this.")
@click.option(
    "--ignore-file",
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    metavar="PATH",
    help="Config and accepted findings, each with a reason and an optional expiry "
    "(default: PATH/.homelabctl.yaml).",
)
@click.option("--rule", "only", multiple=True, metavar="ID", help="Run only this rule (repeatable).")
@click.option("--skip", multiple=True, metavar="ID", help="Do not run this rule (repeatable).")
@click.option("--list-rules", is_flag=True, help="List the scan rules and exit.")
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Report only findings not in this baseline file (accepted, known findings are hidden).",
)
@click.option(
    "--write-baseline",
    "write_baseline_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Write every finding of this run to a baseline file (use with --baseline later).",
)
@click.option("-v", "--verbose", is_flag=True, help="Table/Markdown: list every finding, none folded.")
@schema_option(shared_with="check")
@click.pass_context
def scan_cmd(
    ctx: click.Context,
    path: Path,
    fmt: str,
    output_file: Path | None,
    fail_on: Severity | None,
    namespaces: tuple[str, ...],
    min_severity: str,
    history: bool,
    history_limit: int | None,
    kube_version: str | None,
    k3s: bool | None,
    list_objects: bool,
    no_render: bool,
    no_cache: bool,
    max_file_size: str,
    config_path: Path | None,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    list_rules: bool,
    baseline_path: Path | None,
    write_baseline_path: Path | None,
    verbose: bool,
    schema_version: str,
) -> int:
    """Audit a Flux GitOps repository before Flux applies it.

    Reads PATH (default: the current directory) the way Flux would: sources, Kustomizations,
    kustomization.yaml trees, HelmReleases. Reports broken references, secrets in clear, exposed admin
    UIs, removed APIs, schema errors and known homelab traps, with file and line.
    Offline; exit 0 (nothing shown at or above --fail-on), 1 (something is), 2 (bad input).

    Silence a finding with `# homelabctl: ignore=<rule-id>` on the object's first line, the line
    above the document or the offending line; repo-wide in .homelabctl.yaml (`ignore:` entries with
    a reason and an optional expiry, or scan.ignore).
    """
    from homelabctl.scan.config import load_config
    from homelabctl.scan.engine import options_from_config, scan, select_rules
    from homelabctl.scan.registry import ScanOptions, all_rules

    if list_rules:
        for spec in all_rules():
            click.echo(f"{spec.id:36} {spec.layer.value:9} {spec.severity.value:8} {spec.title}")
        return 0
    if not path.is_dir():
        raise InputError(f"{path}: not a directory (scan takes the repository root)")
    config = load_config(path, config_path)
    options = ScanOptions(
        kube_version=kube_version or "1.32",
        k3s=k3s,
        history=history,
        render=not no_render,
        cache_dir=_cache_dir(no_cache),
        max_file_bytes=_size(max_file_size),
        history_limit=history_limit,
    )
    options = options_from_config(
        options, config, kube_version_given=kube_version is not None, k3s_given=k3s is not None
    )
    rules = select_rules(list(only) or None, list(skip) or None)
    baseline = None
    if baseline_path is not None:
        from homelabctl.scan.baseline import load_baseline

        baseline = load_baseline(baseline_path)
    report = scan(
        path,
        options,
        config=config,
        rules=rules,
        min_severity=Severity.parse(min_severity),
        baseline=baseline,
        freeze=True,
    )
    # the process ends with the command: the OS frees every parse tree of the repository, not the interpreter
    # object by object (a tenth of a large scan), when cli.run finds nothing else to do at exit
    leave_at_exit(report)
    if "ignore" in config.other or namespaces:  # the ignore file's reader (pydantic) only when it has entries
        _apply_ignores(
            report, config_path if config_path is not None else path / ".homelabctl.yaml", namespaces
        )
    if write_baseline_path is not None:
        from homelabctl.scan.baseline import write_baseline

        write_baseline(write_baseline_path, report.findings, report.fingerprints)
    _output(report, fmt, output_file, path, list_objects=list_objects, verbose=verbose, schema=schema_version)
    code = 0 if fail_on is None else int(any(f.severity.rank >= fail_on.rank for f in report.findings))
    ctx.exit(code)
    return code  # pragma: no cover - ctx.exit raises


def _apply_ignores(report: object, config_file: Path, namespaces: tuple[str, ...]) -> None:
    """The `ignore:` entries of .homelabctl.yaml (shared with `check`), and -n: drop what is not shown."""
    from homelabctl.ignorefile import load_ignores
    from homelabctl.scan.engine import ScanReport

    assert isinstance(report, ScanReport)
    ignores = load_ignores(config_file if config_file.is_file() else None, default_dir=config_file.parent)
    for warning in ignores.warnings:
        click.echo(f"homelabctl: warning: {warning}", err=True)
    kept = []
    for finding in report.findings:
        obj = {
            "kind": finding.object.kind,
            "namespace": finding.object.namespace,
            "name": finding.object.name,
        }
        if ignores.ignored(finding.check, obj):
            report.ignored += 1
        elif not namespaces or finding.object.namespace in namespaces:
            kept.append(finding)
    report.findings = kept


def _output(report: object, fmt: str, output_file: Path | None, path: Path, **options: object) -> None:
    """Render through the registry; warnings go to stderr for the formats that do not show them inline."""
    renderer = renderers.for_output("scan", fmt, terminal=output_file is None and sys.stdout.isatty())
    if "uri_prefix" in renderer.options:  # asks git: only for SARIF
        options["uri_prefix"] = _uri_prefix(path)
    console = None
    if not renderer.takes_report:
        from rich.console import Console

        console = Console(highlight=False)
    text = renderers.render(renderer, report, console, **options)
    if text is None:
        return
    if output_file is None:
        sys.stdout.write(text)
    else:
        write_atomic(output_file, text)
    if fmt != "table":
        for error in getattr(report, "errors", ()):
            click.echo(f"homelabctl: warning: {error}", err=True)
