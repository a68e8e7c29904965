from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule


@rule("helmrelease-chart-source-missing", layer=Layer.PLATFORM, severity=Severity.CRITICAL)
def helmrelease_chart_source_missing(ctx: ScanContext) -> Iterator[Finding]:
    """HelmRelease chart comes from a HelmRepository (or other source) that is not defined in the repo.

    Reads ``spec.chart.spec.sourceRef`` (and ``spec.chartRef`` for OCIRepository/HelmChart references) of
    every HelmRelease; the namespace defaults to the HelmRelease's. helm-controller cannot create the
    HelmChart and reports ``HelmRepository ... not found``; the release is never installed or upgraded.

    Next step: add the HelmRepository manifest (``flux create source helm <name> --url ... --export``) or
    fix the reference.
    """
    for hr in ctx.graph.helm_releases:
        ref = hr.source
        if not ctx.applied(hr.doc) or ref is None or "${" in ref.name or ctx.graph.source(ref) is not None:
            continue
        field = "chartRef" if "chartRef" in hr.doc.spec else "chart.spec.sourceRef"
        path = ("spec", "chartRef") if field == "chartRef" else ("spec", "chart", "spec", "sourceRef")
        similar = [f"{k} {ns}/{n}" for (k, ns, n) in ctx.graph.sources if n == ref.name]
        yield ctx.finding(
            hr.doc,
            f"HelmRelease {hr.namespace}/{hr.name} takes chart {hr.chart or '?'} from {ref}, which is not "
            f"defined in the repo",
            evidence=[f"spec.{field}: {ref}", *(["defined as: " + ", ".join(similar)] if similar else [])],
            hint=f"Add the {ref.kind} manifest (e.g. `flux create source helm {ref.name} --url <repo-url> "
            f"--namespace {ref.namespace} --export`) or fix the reference",
            line=hr.doc.line_of(*path),
        )
