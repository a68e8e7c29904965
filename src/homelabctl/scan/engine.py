"""Run the scan: read the repo, build the graph, run the rules, apply ignores. Pure apart from reading."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from homelabctl.errors import ConfigError, InputError
from homelabctl.gcutil import gc_paused
from homelabctl.model import Finding, Severity
from homelabctl.scan.baseline import fingerprints
from homelabctl.scan.config import RepoConfig, glob_regex, load_config
from homelabctl.scan.flux import FluxGraph
from homelabctl.scan.registry import RuleSpec, ScanContext, ScanOptions, all_rules, parse_kube_version
from homelabctl.scan.repo import Repo, ScanError, load_repo


class ScanReport(msgspec.Struct):
    repo: Repo
    graph: FluxGraph
    options: ScanOptions
    rules: list[RuleSpec]
    findings: list[Finding] = msgspec.field(default_factory=list)
    errors: list[ScanError] = msgspec.field(default_factory=list)
    ignored: int = 0
    baselined: int = 0
    """Findings hidden because the baseline holds their fingerprint."""
    fingerprints: dict[Finding, str] = msgspec.field(default_factory=dict)
    generated_at: datetime = msgspec.field(default_factory=lambda: datetime.now(UTC))
    seconds: float = 0.0

    @property
    def root(self) -> Path:
        return self.repo.root

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)


def options_from_config(
    options: ScanOptions, config: RepoConfig, *, kube_version_given: bool, k3s_given: bool
) -> ScanOptions:
    """Command-line flags win over the config file, which wins over the defaults."""
    if config.scan.kube_version and not kube_version_given:
        options.kube_version = config.scan.kube_version
    if config.scan.k3s is not None and not k3s_given:
        options.k3s = config.scan.k3s
    if config.scan.gpu_count and options.gpu_count is None:
        options.gpu_count = config.scan.gpu_count
    return options


def select_rules(only: list[str] | None = None, skip: list[str] | None = None) -> list[RuleSpec]:
    rules = all_rules()
    known = {r.id for r in rules}
    for rid in (only or []) + (skip or []):
        if rid not in known:
            raise InputError(f"unknown scan rule {rid!r} (see `homelabctl scan --list-rules`)")
    return [r for r in rules if (not only or r.id in only) and r.id not in (skip or [])]


def scan(
    path: Path,
    options: ScanOptions | None = None,
    *,
    config: RepoConfig | None = None,
    rules: list[RuleSpec] | None = None,
    min_severity: Severity = Severity.INFO,
    baseline: set[str] | None = None,
    freeze: bool = False,
) -> ScanReport:
    """``freeze``: move what the scan built to the GC's permanent generation when it is done, so the first
    collection after it does not walk every parse tree (for a process that exits after reporting; a
    long-lived caller would keep the repository's reference cycles forever)."""
    started = time.perf_counter()
    if not path.exists():
        raise InputError(f"{path}: no such directory")
    if not path.is_dir():
        raise InputError(f"{path}: not a directory (scan takes the repository root)")
    options = options or ScanOptions()
    try:
        parse_kube_version(options.kube_version)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    config = config if config is not None else load_config(path)
    specs = rules if rules is not None else all_rules()
    known = {r.id for r in all_rules()}
    unknown = [rid for rid in config.scan.ignore if rid not in known]
    if unknown:
        raise ConfigError(f"scan.ignore names unknown rule(s): {', '.join(unknown)}")

    with gc_paused(freeze=freeze):
        return _run(path, options, config, specs, min_severity, started, baseline)


def _run(
    path: Path,
    options: ScanOptions,
    config: RepoConfig,
    specs: list[RuleSpec],
    min_severity: Severity,
    started: float,
    baseline: set[str] | None,
) -> ScanReport:
    ignored_rules = set(config.scan.ignore)
    ignored_paths = [glob_regex(p) for p in config.scan.ignore_paths]
    repo = load_repo(path, max_file_bytes=options.max_file_bytes, max_total_bytes=options.max_total_bytes)
    graph = FluxGraph(repo, render=options.render, cache_dir=options.cache_dir)
    report = ScanReport(repo, graph, options, specs)
    keys: dict[Finding, str] = {}

    def path_ignored(rel: str | None) -> bool:
        return bool(rel) and any(p.match(rel or "") for p in ignored_paths)

    report.errors.extend(e for e in repo.errors if not path_ignored(e.file))
    unrendered = sorted(
        d for d, r in graph.render_errors.items() if (r.error or "").startswith("kubectl not found")
    )
    for directory, result in sorted(graph.render_errors.items()):
        if (result.error or "").startswith("not rendered"):
            report.errors.append(ScanError(f"./{directory}" if directory else ".", None, result.error or ""))
    if unrendered:
        report.errors.append(
            ScanError(
                unrendered[0] or ".",
                None,
                f"kubectl not found: {len(unrendered)} kustomization(s) with patches/generators followed without "
                f"rendering (install kubectl, or pass --no-render to silence this)",
            )
        )
    for spec in specs:
        if spec.history and not options.history:
            continue
        if spec.id in ignored_rules:
            continue
        ctx = ScanContext(repo, graph, options, spec)
        try:
            produced = list(spec.func(ctx))
        except Exception as exc:  # a broken rule must not hide the other rules' findings
            report.errors.append(
                ScanError(f"(rule {spec.id})", None, f"rule failed: {type(exc).__name__}: {exc}")
            )
            continue
        report.errors.extend(ctx.errors)
        keys.update(ctx.fingerprints)
        for finding in produced:
            if finding.severity.rank < min_severity.rank:
                continue
            if path_ignored(finding.file):
                report.ignored += 1
                continue
            file = repo.files.get(finding.file or "")
            if file is not None and file.ignored_at(spec.id, finding.line, ctx.doc_lines.get(finding)):
                report.ignored += 1
                continue
            report.findings.append(finding)
    # Fingerprints from the file order (stable numbering of identical findings), then worst first.
    report.findings.sort(key=lambda f: (f.file or "", f.line or 0, f.check, str(f.object)))
    report.fingerprints = fingerprints(report.findings, keys)
    if baseline:
        kept = [f for f in report.findings if report.fingerprints[f] not in baseline]
        report.baselined = len(report.findings) - len(kept)
        report.findings = kept
    report.findings.sort(key=lambda f: (-f.severity.rank, f.check, f.file or "", f.line or 0, str(f.object)))
    report.seconds = time.perf_counter() - started
    return report
