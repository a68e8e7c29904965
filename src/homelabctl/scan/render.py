"""Scan reports: table (rich, grouped by file), JSON (``homelabctl.scan/v1``), SARIF 2.1.0, Markdown."""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from importlib import resources
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from homelabctl import __version__
from homelabctl.model import Finding, Severity
from homelabctl.scan.engine import ScanReport
from homelabctl.scan.flux import FluxKustomization

SCHEMA_ID = "homelabctl.scan/v1"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {Severity.CRITICAL: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
COLOURS = {Severity.CRITICAL: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


@cache
def report_schema() -> dict[str, Any]:
    text = resources.files("homelabctl.scan").joinpath("scan-report.schema.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def summary(report: ScanReport) -> dict[str, Any]:
    return {
        "critical": report.count(Severity.CRITICAL),
        "warning": report.count(Severity.WARNING),
        "info": report.count(Severity.INFO),
        "files": len(report.repo.files),
        "documents": len(report.repo.docs),
        "objects": len(report.repo.objects),
        "kustomizations": len(report.graph.kustomizations),
        "helm_releases": len(report.graph.helm_releases),
        "ignored": report.ignored,
        "errors": len(report.errors),
        "rules": len(report.rules),
        "seconds": round(report.seconds, 3),
    }


def finding_dict(finding: Finding, number: int) -> dict[str, Any]:
    return {"id": f"S{number}", **finding.to_dict(), "file": finding.file, "line": finding.line}


def _ks_dict(report: ScanReport, ks: FluxKustomization) -> dict[str, Any]:
    objects: list[dict[str, Any]] = []
    rendered_dirs = {r.directory for r in ks.renders if not r.error}
    graph = report.graph
    rendered_files: set[str] = set()
    rendered_trees: set[str] = set()
    for directory in rendered_dirs:
        rendered_files |= graph.kz.tree_files(directory)
        rendered_trees |= {kd.dir for kd in graph.kz.tree(directory)}
    for placed in ks.objects:
        if placed.doc.path in rendered_files:
            continue
        objects.append({"apiVersion": placed.doc.api_version, "kind": placed.doc.kind,
                        "namespace": placed.namespace, "name": placed.doc.name,
                        "file": placed.doc.path, "line": placed.doc.line})
    for gen, namespace, directory in ks.generated:
        if directory in rendered_trees:
            continue
        kdoc = graph.kz.dir(directory).doc
        objects.append({"apiVersion": "v1", "kind": gen.kind, "namespace": namespace, "name": gen.name,
                        "file": kdoc.path if kdoc else None, "line": gen.line, "generated": True})
    for result in ks.renders:
        if result.error:
            continue
        kfile = graph.kz.dir(result.directory).doc
        for obj in result.objects:
            meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
            assert isinstance(meta, dict)
            namespace = ks.target_namespace or meta.get("namespace")
            objects.append({"apiVersion": str(obj.get("apiVersion", "")), "kind": str(obj.get("kind", "")),
                            "namespace": namespace, "name": str(meta.get("name", "")),
                            "file": kfile.path if kfile else None, "line": None, "rendered": True})
    remote = sorted({r for d in ks.top_dirs for kd in graph.kz.tree(d) for r in kd.remote})
    return {
        "name": ks.name,
        "namespace": ks.namespace,
        "file": ks.doc.path,
        "line": ks.doc.line,
        "path": ks.raw_path,
        "source": str(ks.source) if ks.source else None,
        "local": ks.local,
        "reached": ks.reached,
        "dependsOn": [f"{ns}/{name}" for ns, name, _ in ks.depends_on],
        "decryption": ks.decryption_provider,
        "targetNamespace": ks.target_namespace,
        "rendered": sorted(rendered_dirs),
        "remote": remote,
        "objects": objects,
    }


def objects_dict(report: ScanReport) -> dict[str, Any]:
    """What a cluster built from the repo would contain, per Flux Kustomization."""
    graph = report.graph
    return {
        "kustomizations": [_ks_dict(report, ks) for ks in graph.kustomizations],
        "helmReleases": [
            {"name": hr.name, "namespace": hr.namespace, "chart": hr.chart, "version": hr.version,
             "source": str(hr.source) if hr.source else None,
             "valuesFrom": [f"{v.get('kind', 'ConfigMap')}/{v.get('name')}" for v in hr.doc.spec.get("valuesFrom") or []
                            if isinstance(v, dict)],
             "file": hr.doc.path, "line": hr.doc.line}
            for hr in graph.helm_releases
        ],
        "sources": [{"kind": kind, "namespace": ns, "name": name, "file": doc.path, "line": doc.line,
                     "url": doc.spec.get("url")}
                    for (kind, ns, name), doc in sorted(graph.sources.items())],
    }


def to_json(report: ScanReport, *, objects: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "generated_at": report.generated_at.isoformat().replace("+00:00", "Z"),
        "repo": {"path": str(report.root), "git": report.repo.git, "kube_version": report.options.kube_version,
                 "history": report.options.history},
        "summary": summary(report),
        "findings": [finding_dict(f, i) for i, f in enumerate(report.findings, start=1)],
        "errors": [e.to_dict() for e in report.errors],
    }
    if objects:
        out["objects"] = objects_dict(report)
    return out


def to_sarif(report: ScanReport, *, uri_prefix: str = "") -> dict[str, Any]:
    """SARIF 2.1.0 for GitHub code scanning. ``uri_prefix`` is the scanned directory relative to the
    checkout root, so locations resolve when the scan did not start at the repository root."""
    rules = report.rules
    index = {spec.id: i for i, spec in enumerate(rules)}
    prefix = uri_prefix.strip("/") + "/" if uri_prefix.strip("/") else ""
    results = []
    for finding in report.findings:
        message = finding.message
        if finding.evidence:
            message += "\n" + "\n".join(f"- {e}" for e in finding.evidence)
        if finding.hint:
            message += f"\nNext step: {finding.hint}"
        result: dict[str, Any] = {
            "ruleId": finding.check,
            "level": SARIF_LEVEL[finding.severity],
            "message": {"text": message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": prefix + (finding.file or ".homelabctl.yaml"),
                                         "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": max(1, finding.line or 1)},
                },
            }],
            "properties": {"object": str(finding.object), "layer": finding.layer.value,
                           "severity": finding.severity.value},
        }
        if finding.check in index:
            result["ruleIndex"] = index[finding.check]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "homelabctl",
                "version": __version__,
                "informationUri": "https://pypi.org/project/homelabctl/",
                "rules": [{
                    "id": spec.id,
                    "name": "".join(part.capitalize() for part in spec.id.replace(".", "-").split("-")),
                    "shortDescription": {"text": spec.title},
                    "fullDescription": {"text": spec.description or spec.title},
                    "help": {"text": spec.doc, "markdown": spec.doc},
                    "defaultConfiguration": {"level": SARIF_LEVEL[spec.severity]},
                    "properties": {"tags": [spec.layer.value, "homelab", "gitops"]},
                } for spec in rules],
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": report.root.as_uri() + "/"}},
            "results": results,
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "warning", "message": {"text": str(e)}} for e in report.errors
                ],
            }],
        }],
    }


def _grouped(report: ScanReport) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        groups[finding.file or "(repository)"].append(finding)
    return groups


def render_table(report: ScanReport, console: Console, *, list_objects: bool = False) -> None:
    if list_objects:
        render_objects(report, console)
    for file, findings in _grouped(report).items():
        console.print(f"\n[bold]{escape(file)}[/bold]")
        table = Table(show_header=False, box=None, pad_edge=False, expand=False)
        table.add_column("line", justify="right", style="dim", no_wrap=True)
        table.add_column("severity", no_wrap=True)
        table.add_column("rule", style="magenta", no_wrap=True)
        table.add_column("finding")
        for f in findings:
            detail = escape(f.message)
            if f.evidence:
                detail += "\n" + "\n".join(f"[dim]  {escape(e)}[/dim]" for e in f.evidence)
            if f.hint:
                detail += f"\n[green]  → {escape(f.hint)}[/green]"
            table.add_row(str(f.line or ""), f"[{COLOURS[f.severity]}]{f.severity.value}[/]", f.check, detail)
        console.print(table)
    for error in report.errors:
        console.print(f"[yellow]skipped[/yellow] {escape(str(error))}")
    s = summary(report)
    verdict = "[bold green]no findings[/bold green]" if not report.findings else (
        f"[bold red]{s['critical']} critical[/bold red], [yellow]{s['warning']} warning[/yellow], "
        f"[cyan]{s['info']} info[/cyan]")
    console.print(
        f"\n{verdict} · {s['files']} files, {s['documents']} YAML documents, {s['kustomizations']} Flux "
        f"Kustomizations, {s['helm_releases']} HelmReleases · {s['ignored']} ignored · {len(report.errors)} "
        f"input error(s) · {s['seconds']:.2f}s"
    )


def render_objects(report: ScanReport, console: Console) -> None:
    data = objects_dict(report)
    for ks in data["kustomizations"]:
        state = "" if ks["reached"] else " [yellow](not reached from flux-system)[/yellow]"
        source = "" if ks["local"] else f" [dim](source {escape(str(ks['source']))}, not in this repo)[/dim]"
        console.print(f"\n[bold]Kustomization {ks['namespace']}/{ks['name']}[/bold] → {escape(ks['path'] or './')}"
                      f"{source}{state}")
        by_kind: dict[str, int] = defaultdict(int)
        for obj in ks["objects"]:
            by_kind[obj["kind"]] += 1
        if by_kind:
            console.print("  " + ", ".join(f"{n} {k}" for k, n in sorted(by_kind.items())))
        for obj in ks["objects"]:
            ns = f"{obj['namespace']}/" if obj["namespace"] else ""
            where = f"{obj['file']}:{obj['line']}" if obj.get("line") else (obj.get("file") or "")
            tag = " (rendered)" if obj.get("rendered") else " (generated)" if obj.get("generated") else ""
            console.print(f"    {obj['kind']} {escape(ns + obj['name'])}[dim]{tag} {escape(where)}[/dim]")


def to_markdown(report: ScanReport) -> str:
    s = summary(report)
    lines = [
        "# homelabctl scan report",
        "",
        f"**Repository**: `{report.root}`  ",
        f"**Generated**: {report.generated_at.isoformat(timespec='seconds')}  ",
        f"**Target Kubernetes**: {report.options.kube_version}",
        "",
        "## Summary",
        "",
        "| Critical | Warning | Info | Files | YAML documents | Flux Kustomizations | HelmReleases | Ignored |",
        "|---|---|---|---|---|---|---|---|",
        f"| {s['critical']} | {s['warning']} | {s['info']} | {s['files']} | {s['documents']} | "
        f"{s['kustomizations']} | {s['helm_releases']} | {s['ignored']} |",
        "",
    ]
    if not report.findings:
        lines += ["No findings.", ""]
    for file, findings in _grouped(report).items():
        lines += [f"## `{file}`", ""]
        for f in findings:
            icon = {"critical": "🔴", "warning": "🟡", "info": "🔵"}[f.severity.value]
            lines.append(f"- {icon} **{f.severity.value}** `{f.check}` (line {f.line or '?'}): {_md(f.message)}")
            for e in f.evidence:
                lines.append(f"  - {_md(e)}")
            if f.hint:
                lines.append(f"  - **Next step**: {_md(f.hint)}")
        lines.append("")
    if report.errors:
        lines += ["## Input errors", ""]
        lines += [f"- `{_md(str(e))}`" for e in report.errors]
        lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
