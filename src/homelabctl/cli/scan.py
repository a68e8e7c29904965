"""``homelabctl scan PATH``: audit a Flux GitOps repository before Flux applies it."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import click
from rich.console import Console

from homelabctl.cli.options import fail_on_option, namespace_options, output_options, write_atomic
from homelabctl.errors import InputError
from homelabctl.model import Severity

OUTPUTS = ("table", "json", "sarif", "markdown")
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
@click.option("--min-severity", type=click.Choice(MIN_SEVERITY), default="info", show_default=True,
              help="Hide findings below this severity.")
@click.option("--history", is_flag=True, help="Also scan every commit of the git history for secrets.")
@click.option("--history-limit", type=int, default=None, metavar="N", help="With --history: newest N commits only.")
@click.option("--kube-version", default=None, metavar="X.Y",
              help="Target Kubernetes version for removed APIs (default: scan.kube_version or 1.32).")
@click.option("--k3s/--no-k3s", "k3s", default=None,
              help="The repo targets K3s (default: detect; K3s unless the repo names another distribution).")
@click.option("--list", "list_objects", is_flag=True,
              help="Table: also list what each Flux Kustomization would apply.")
@click.option("--no-render", is_flag=True, help="Never run `kubectl kustomize` (patches/generators followed as files).")
@click.option("--no-cache", is_flag=True, help="Do not reuse or store rendered kustomize output.")
@click.option("--max-file-size", default="10MB", show_default=True, help="Skip files larger than this.")
@click.option("--ignore-file", "--config", "config_path", type=click.Path(path_type=Path), default=None,
              metavar="PATH", help="Config and accepted findings, each with a reason and an optional expiry "
                                   "(default: PATH/.homelabctl.yaml).")
@click.option("--rule", "only", multiple=True, metavar="ID", help="Run only this rule (repeatable).")
@click.option("--skip", multiple=True, metavar="ID", help="Do not run this rule (repeatable).")
@click.option("--list-rules", is_flag=True, help="List the scan rules and exit.")
@click.option("--schema", "schema_version", type=click.Choice(["v2", "v1"]), default="v2", show_default=True,
              help="JSON report version (-o json): v2 is the envelope shared with `check`; v1 is kept for a release.")
@click.pass_context
def scan_cmd(ctx: click.Context, path: Path, fmt: str, output_file: Path | None, fail_on: Severity | None,
             namespaces: tuple[str, ...], min_severity: str,
             history: bool, history_limit: int | None, kube_version: str | None, k3s: bool | None,
             list_objects: bool, no_render: bool, no_cache: bool, max_file_size: str, config_path: Path | None,
             only: tuple[str, ...], skip: tuple[str, ...], list_rules: bool, schema_version: str) -> int:
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
        kube_version=kube_version or "1.32", k3s=k3s, history=history, render=not no_render,
        cache_dir=_cache_dir(no_cache), max_file_bytes=_size(max_file_size), history_limit=history_limit,
    )
    options = options_from_config(options, config, kube_version_given=kube_version is not None,
                                  k3s_given=k3s is not None)
    rules = select_rules(list(only) or None, list(skip) or None)
    report = scan(path, options, config=config, rules=rules, min_severity=Severity.parse(min_severity))
    _apply_ignores(report, config_path if config_path is not None else path / ".homelabctl.yaml", namespaces)
    output = fmt

    if output == "table":
        if output_file is None:
            console = Console(highlight=False)
            _render_table(report, console, list_objects)
        else:
            with output_file.open("w", encoding="utf-8") as handle:
                console = Console(file=handle, width=140, no_color=True, highlight=False)
                _render_table(report, console, list_objects)
    else:
        from homelabctl.scan.render import to_json, to_markdown, to_sarif

        if output == "json":
            payload = to_json(report)
            if schema_version == "v2":
                from homelabctl.report.envelope import scan_v2

                payload = scan_v2(payload)
            text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
        elif output == "sarif":
            text = json.dumps(to_sarif(report, uri_prefix=_uri_prefix(path)), indent=2, ensure_ascii=False) + "\n"
        else:
            text = to_markdown(report)
        if output_file is None:
            sys.stdout.write(text)
        else:
            write_atomic(output_file, text)
        for error in report.errors:
            click.echo(f"homelabctl: warning: {error}", err=True)
    if fail_on is None:
        ctx.exit(0)
        return 0  # pragma: no cover - ctx.exit raises
    code = 1 if any(f.severity.rank >= fail_on.rank for f in report.findings) else 0
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
        obj = {"kind": finding.object.kind, "namespace": finding.object.namespace, "name": finding.object.name}
        if ignores.ignored(finding.check, obj):
            report.ignored += 1
        elif not namespaces or finding.object.namespace in namespaces:
            kept.append(finding)
    report.findings = kept


def _render_table(report: object, console: Console, list_objects: bool) -> None:
    from homelabctl.scan.engine import ScanReport
    from homelabctl.scan.render import render_table

    assert isinstance(report, ScanReport)
    render_table(report, console, list_objects=list_objects)
