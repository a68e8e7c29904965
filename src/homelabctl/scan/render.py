"""Scan reports: table (rich, worst first), JSON (``homelabctl.scan/v1``), SARIF 2.1.0, Markdown.

People read the table and Markdown: findings worst first, a count per rule, and findings that share one
fix (the same rule, severity and next step, e.g. twenty ``v2beta1`` HelmReleases → ``flux migrate``)
folded into one item with their files unless ``verbose``. Critical findings are never folded: each one is
its own action. Machines read JSON and SARIF: every finding, each with its fingerprint.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import msgspec

from homelabctl import __version__
from homelabctl.k8s import fluxspec
from homelabctl.k8s import meta as k8s_meta
from homelabctl.model import Finding, Severity
from homelabctl.scan.engine import ScanReport
from homelabctl.scan.flux import FluxKustomization

if TYPE_CHECKING:
    from rich.console import Console

SCHEMA_ID = "homelabctl.scan/v1"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {Severity.CRITICAL: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub code scanning reads `security-severity` (0-10) to rank results: >= 9 critical, 7-8.9 high,
# 4-6.9 medium, below 4 low.
SECURITY_SEVERITY = {Severity.CRITICAL: "9.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
RULES_DOC_URL = "https://homelabctl.dev/rules#"
FOLD_AT = 3
"""This many findings sharing one fix (rule, severity, next step) are shown as one item."""
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
        "baselined": report.baselined,
        "errors": len(report.errors),
        "rules": len(report.rules),
        "seconds": round(report.seconds, 3),
    }


def finding_dict(finding: Finding, number: int, fingerprint: str | None = None) -> dict[str, Any]:
    out = {"id": f"S{number}", **finding.to_dict(), "file": finding.file, "line": finding.line}
    if fingerprint:
        out["fingerprint"] = fingerprint
    return out


def by_rule(report: ScanReport) -> list[dict[str, Any]]:
    """Findings per rule: rules with critical findings first, then by count."""
    counts: dict[str, dict[str, int]] = {}
    for finding in report.findings:
        row = counts.setdefault(finding.check, {"critical": 0, "warning": 0, "info": 0})
        row[finding.severity.value] += 1
    ordered = sorted(
        counts.items(), key=lambda kv: (-kv[1]["critical"], -kv[1]["warning"], -kv[1]["info"], kv[0])
    )
    return [{"rule": rule, **row} for rule, row in ordered]


class Item(msgspec.Struct, frozen=True):
    """What a person reads: one finding, or several that share one fix."""

    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def folded(self) -> bool:
        return len(self.findings) > 1

    def places(self) -> list[str]:
        return [f"{f.file or '(repository)'}:{f.line or '?'} {f.object}" for f in self.findings]


def items(report: ScanReport, *, verbose: bool = False) -> list[Item]:
    """The findings in report order (worst first); unless ``verbose``, non-critical findings that share
    rule, severity and next step are folded into one item at the place of the first."""
    groups: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for finding in report.findings:
        groups[(finding.check, finding.severity.value, finding.hint)].append(finding)
    out: list[Item] = []
    done: set[tuple[str, str, str]] = set()
    for finding in report.findings:
        key = (finding.check, finding.severity.value, finding.hint)
        group = groups[key]
        if verbose or finding.severity is Severity.CRITICAL or len(group) < FOLD_AT or not finding.hint:
            out.append(Item((finding,)))
        elif key not in done:
            done.add(key)
            out.append(Item(tuple(group)))
    return out


def by_severity(report: ScanReport, *, verbose: bool = False) -> list[tuple[Severity, list[Item], int]]:
    """The shown items (:func:`items`) grouped worst severity first, with how many findings each group holds;
    severities with nothing shown are left out."""
    shown = items(report, verbose=verbose)
    out = []
    for severity in (Severity.CRITICAL, Severity.WARNING, Severity.INFO):
        group = [item for item in shown if item.first.severity is severity]
        if group:
            out.append((severity, group, sum(len(item.findings) for item in group)))
    return out


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
        objects.append(
            {
                "apiVersion": placed.doc.api_version,
                "kind": placed.doc.kind,
                "namespace": placed.namespace,
                "name": placed.doc.name,
                "file": placed.doc.path,
                "line": placed.doc.line,
            }
        )
    for gen, namespace, directory in ks.generated:
        if directory in rendered_trees:
            continue
        kdoc = graph.kz.dir(directory).doc
        objects.append(
            {
                "apiVersion": "v1",
                "kind": gen.kind,
                "namespace": namespace,
                "name": gen.name,
                "file": kdoc.path if kdoc else None,
                "line": gen.line,
                "generated": True,
            }
        )
    for result in ks.renders:
        if result.error:
            continue
        kfile = graph.kz.dir(result.directory).doc
        for obj in result.objects:
            namespace = ks.target_namespace or k8s_meta.namespace(obj)
            objects.append(
                {
                    "apiVersion": str(obj.get("apiVersion", "")),
                    "kind": str(obj.get("kind", "")),
                    "namespace": namespace,
                    "name": k8s_meta.name(obj),
                    "file": kfile.path if kfile else None,
                    "line": None,
                    "rendered": True,
                }
            )
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
            {
                "name": hr.name,
                "namespace": hr.namespace,
                "chart": hr.chart,
                "version": hr.version,
                "source": str(hr.source) if hr.source else None,
                "valuesFrom": fluxspec.values_from_labels(hr.doc.data),
                "file": hr.doc.path,
                "line": hr.doc.line,
            }
            for hr in graph.helm_releases
        ],
        "sources": [
            {
                "kind": kind,
                "namespace": ns,
                "name": name,
                "file": doc.path,
                "line": doc.line,
                "url": fluxspec.source_url(doc.data),
            }
            for (kind, ns, name), doc in sorted(graph.sources.items())
        ],
    }


def to_json(report: ScanReport, *, objects: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "generated_at": report.generated_at.isoformat().replace("+00:00", "Z"),
        "repo": {
            "path": str(report.root),
            "git": report.repo.git,
            "kube_version": report.options.kube_version,
            "history": report.options.history,
        },
        "summary": summary(report),
        "by_rule": by_rule(report),
        "findings": [
            finding_dict(f, i, report.fingerprints.get(f)) for i, f in enumerate(report.findings, start=1)
        ],
        "errors": [e.to_dict() for e in report.errors],
    }
    if objects:
        out["objects"] = objects_dict(report)
    return out


def json_text(report: ScanReport, *, schema: str = "v2") -> str:
    """``scan -o json``: the v2 envelope shared with ``check``, or the v1 report (``--schema v1``)."""
    payload = to_json(report)
    if schema == "v2":
        from homelabctl.report.envelope import scan_v2

        payload = scan_v2(payload)
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def sarif_text(report: ScanReport, *, uri_prefix: str = "") -> str:
    """``scan -o sarif``."""
    return json.dumps(to_sarif(report, uri_prefix=uri_prefix), indent=2, ensure_ascii=False) + "\n"


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
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": prefix + (finding.file or ".homelabctl.yaml"),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": {"startLine": max(1, finding.line or 1)},
                    },
                }
            ],
            "properties": {
                "object": str(finding.object),
                "layer": finding.layer.value,
                "severity": finding.severity.value,
                "security-severity": SECURITY_SEVERITY[finding.severity],
            },
        }
        fingerprint = report.fingerprints.get(finding)
        if fingerprint:
            result["partialFingerprints"] = {"homelabctlFindingHash/v1": fingerprint}
        if finding.check in index:
            result["ruleIndex"] = index[finding.check]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "homelabctl",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/homelabctl/",
                        "rules": [
                            {
                                "id": spec.id,
                                "name": "".join(
                                    part.capitalize() for part in spec.id.replace(".", "-").split("-")
                                ),
                                "shortDescription": {"text": spec.title},
                                "fullDescription": {"text": spec.description or spec.title},
                                "help": {"text": spec.doc, "markdown": spec.doc},
                                "helpUri": RULES_DOC_URL + spec.id,
                                "defaultConfiguration": {"level": SARIF_LEVEL[spec.severity]},
                                "properties": {
                                    "tags": [spec.layer.value, "homelab", "gitops"]
                                    + (["security"] if spec.layer.value == "security" else []),
                                    "security-severity": SECURITY_SEVERITY[spec.severity],
                                },
                            }
                            for spec in rules
                        ],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": report.root.as_uri() + "/"}},
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {"level": "warning", "message": {"text": str(e)}} for e in report.errors
                        ],
                    }
                ],
            }
        ],
    }


def render_table(
    report: ScanReport, console: Console, *, list_objects: bool = False, verbose: bool = False
) -> None:
    from rich.markup import escape  # rich only for the table: JSON/SARIF runs do not pay for it
    from rich.table import Table

    if list_objects:
        render_objects(report, console)
    for severity, group, count in by_severity(report, verbose=verbose):
        console.print(f"\n[{COLOURS[severity]}]{severity.value.upper()} ({count})[/]")
        table = Table(show_header=False, box=None, pad_edge=False, expand=False)
        table.add_column("rule", style="magenta", no_wrap=True)
        table.add_column("finding")
        for item in group:
            f = item.first
            if item.folded:
                detail = (
                    f"{len(item.findings)} findings share one fix: [green]→ {escape(f.hint)}[/green]\n"
                    f"[dim]  e.g. {escape(f.message)}[/dim]"
                )
                detail += "\n" + "\n".join(f"[dim]  {escape(p)}[/dim]" for p in item.places())
            else:
                where = f"{f.file}:{f.line}" if f.file and f.line else (f.file or "(repository)")
                detail = f"[bold]{escape(where)}[/bold] {escape(f.message)}"
                if f.evidence:
                    detail += "\n" + "\n".join(f"[dim]  {escape(e)}[/dim]" for e in f.evidence)
                if f.hint:
                    detail += f"\n[green]  → {escape(f.hint)}[/green]"
            table.add_row(f.check + (f" ×{len(item.findings)}" if item.folded else ""), detail)
        console.print(table)
    rows = by_rule(report)
    if rows:
        console.print("\n[bold]By rule[/bold]")
        table = Table(box=None, pad_edge=False, expand=False)
        table.add_column("rule", style="magenta")
        for severity in (Severity.CRITICAL, Severity.WARNING, Severity.INFO):
            table.add_column(severity.value, justify="right", style=COLOURS[severity])
        for row in rows:
            table.add_row(row["rule"], *(str(row[k] or "") for k in ("critical", "warning", "info")))
        console.print(table)
    for error in report.errors:
        console.print(f"[yellow]skipped[/yellow] {escape(str(error))}")
    s = summary(report)
    verdict = (
        "[bold green]no findings[/bold green]"
        if not report.findings
        else (
            f"[bold red]{s['critical']} critical[/bold red], [yellow]{s['warning']} warning[/yellow], "
            f"[cyan]{s['info']} info[/cyan]"
        )
    )
    baselined = f" · {report.baselined} in the baseline" if report.baselined else ""
    console.print(
        f"\n{verdict} · {s['files']} files, {s['documents']} YAML documents, {s['kustomizations']} Flux "
        f"Kustomizations, {s['helm_releases']} HelmReleases · {s['ignored']} ignored{baselined} · "
        f"{len(report.errors)} input error(s) · {s['seconds']:.2f}s"
    )


def _verdict_line(report: ScanReport) -> str:
    s = summary(report)
    verdict = (
        "no findings"
        if not report.findings
        else (f"{s['critical']} critical, {s['warning']} warning, {s['info']} info")
    )
    baselined = f" · {report.baselined} in the baseline" if report.baselined else ""
    return (
        f"{verdict} · {s['files']} files, {s['documents']} YAML documents, {s['kustomizations']} Flux "
        f"Kustomizations, {s['helm_releases']} HelmReleases · {s['ignored']} ignored{baselined} · "
        f"{len(report.errors)} input error(s) · {s['seconds']:.2f}s"
    )


def to_text(report: ScanReport, *, verbose: bool = False, list_objects: bool = False) -> str:
    """The table's content as plain text, for pipes, files and CI logs (no colours, no wrapping, no rich)."""
    lines: list[str] = []
    if list_objects:
        for ks in objects_dict(report)["kustomizations"]:
            state = "" if ks["reached"] else " (not reached from flux-system)"
            lines.append(f"Kustomization {ks['namespace']}/{ks['name']} -> {ks['path'] or './'}{state}")
            for obj in ks["objects"]:
                ns = f"{obj['namespace']}/" if obj["namespace"] else ""
                lines.append(f"    {obj['kind']} {ns}{obj['name']}")
        lines.append("")
    for severity, group, count in by_severity(report, verbose=verbose):
        lines.append(f"{severity.value.upper()} ({count})")
        for item in group:
            f = item.first
            if item.folded:
                lines.append(
                    f"  {f.check} ×{len(item.findings)}: {len(item.findings)} findings share one fix: "
                    f"-> {f.hint}"
                )
                lines.append(f"      e.g. {f.message}")
                lines += [f"      {place}" for place in item.places()]
                continue
            where = f"{f.file}:{f.line}" if f.file and f.line else (f.file or "(repository)")
            lines.append(f"  {f.check}  {where}  {f.message}")
            lines += [f"      {e}" for e in f.evidence]
            if f.hint:
                lines.append(f"      -> {f.hint}")
        lines.append("")
    rows = by_rule(report)
    if rows:
        width = max(len(r["rule"]) for r in rows)
        lines.append("By rule" + " " * (width - 5) + "  critical  warning  info")
        for r in rows:
            lines.append(
                f"  {r['rule']:<{width}}  {r['critical'] or '':>8}  {r['warning'] or '':>7}  "
                f"{r['info'] or '':>4}"
            )
        lines.append("")
    lines += [f"skipped {e}" for e in report.errors]
    lines.append(_verdict_line(report))
    return "\n".join(lines) + "\n"


def render_objects(report: ScanReport, console: Console) -> None:
    from rich.markup import escape

    data = objects_dict(report)
    for ks in data["kustomizations"]:
        state = "" if ks["reached"] else " [yellow](not reached from flux-system)[/yellow]"
        source = "" if ks["local"] else f" [dim](source {escape(str(ks['source']))}, not in this repo)[/dim]"
        console.print(
            f"\n[bold]Kustomization {ks['namespace']}/{ks['name']}[/bold] → {escape(ks['path'] or './')}"
            f"{source}{state}"
        )
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


def to_markdown(report: ScanReport, *, verbose: bool = False) -> str:
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
    rows = by_rule(report)
    if rows:
        lines += ["| Rule | Critical | Warning | Info |", "|---|---|---|---|"]
        lines += [f"| `{r['rule']}` | {r['critical']} | {r['warning']} | {r['info']} |" for r in rows]
        lines.append("")
    for severity, group, count in by_severity(report, verbose=verbose):
        icon = {"critical": "🔴", "warning": "🟡", "info": "🔵"}[severity.value]
        lines += [f"## {icon} {severity.value.capitalize()} ({count})", ""]
        for item in group:
            f = item.first
            if item.folded:
                lines.append(f"- `{f.check}` ×{len(item.findings)}, one fix: {_md(f.hint)}")
                lines += [f"  - `{_md(p)}`" for p in item.places()]
                continue
            where = f"{f.file}:{f.line}" if f.file and f.line else (f.file or "(repository)")
            lines.append(f"- `{f.check}` `{_md(where)}`: {_md(f.message)}")
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
