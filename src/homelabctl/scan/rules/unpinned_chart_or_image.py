from __future__ import annotations

from collections.abc import Iterator

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.rules._common import containers, dig, pod_spec, values_line, walk


def image_problem(image: str) -> str | None:
    """Why an image reference is not pinned, or None."""
    if "${" in image or "{{" in image or not image:
        return None
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "no tag (pulls :latest)"
    tag = last.rsplit(":", 1)[1]
    if tag in ("latest", "main", "master", "stable", "edge", "nightly", "dev"):
        return f"moving tag :{tag}"
    return None


def version_problem(version: str | None) -> str | None:
    if version is None or not version.strip():
        return "no chart version"
    text = version.strip()
    if text in ("*", "x", "X", "latest", ">=0.0.0", ">0.0.0"):
        return f"the floating version {text!r}"
    if text.startswith(">") and "<" not in text:
        return f"the open-ended version {text!r}"
    return None


@rule("unpinned-chart-or-image", layer=Layer.WORKLOAD, severity=Severity.WARNING)
def unpinned_chart_or_image(ctx: ScanContext) -> Iterator[Finding]:
    """A HelmRelease chart or a container image is not pinned (no version, ``*``, ``>=``, ``:latest``).

    Reads HelmRelease ``spec.chart.spec.version`` (missing, ``*``, or a ``>=`` range without upper bound
    all install whatever the chart's author releases next, majors included), container images of every
    workload (no tag, or a moving tag such as ``latest``/``main``; digests are pinned), and
    ``image.tag``-style HelmRelease values set to a moving tag. An unpinned upgrade arrives on the next
    reconcile, unreviewed, and a rollback needs to know what ran before.

    Next step: pin an exact chart version (or ``~1.2``/``1.x``) and image tags (or digests); let
    Renovate/Flux image automation propose upgrades as commits.
    """
    for hr in ctx.helm_releases():
        if "chartRef" not in hr.doc.spec:
            problem = version_problem(hr.version)
            if problem:
                yield ctx.finding(
                    hr.doc,
                    f"HelmRelease {hr.namespace}/{hr.name} installs chart {hr.chart or '?'} with {problem}",
                    evidence=[
                        f"spec.chart.spec.version: {hr.version!r}"
                        if hr.version is not None
                        else "spec.chart.spec.version: (not set)"
                    ],
                    hint=f"Pin spec.chart.spec.version (e.g. the current release of {hr.chart or 'the chart'})",
                    line=hr.doc.line_of("spec", "chart", "spec", "version"),
                )
        for path, value in walk(hr.values):
            if (
                path
                and path[-1] == "tag"
                and isinstance(value, str)
                and value in ("latest", "main", "master")
            ):
                repo = dig(hr.values, *path[:-1], "repository")
                yield ctx.finding(
                    hr.doc,
                    f"HelmRelease {hr.namespace}/{hr.name} sets image tag {value!r} at values.{'.'.join(map(str, path))}",
                    evidence=[f"values.{'.'.join(map(str, path))}: {value}", f"repository: {repo or '?'}"],
                    hint="Pin a version tag or digest",
                    line=values_line(hr, *path),
                )
    for doc in ctx.repo.objects:
        found = pod_spec(doc)
        if found is None or not ctx.applied(doc):
            continue
        spec, prefix = found
        problems = []
        first_line = 0
        for field, ci, container in containers(spec):
            image = container.get("image")
            problem = image_problem(image) if isinstance(image, str) else None
            if problem:
                problems.append(f"{field}[{ci}] {container.get('name', '?')}: {image} ({problem})")
                first_line = first_line or doc.line_of(*prefix, field, ci, "image")
        if problems:
            yield ctx.finding(
                doc,
                f"{doc.kind} {doc.name} runs {len(problems)} unpinned image(s)",
                evidence=problems,
                hint="Pin each image to a version tag or @sha256 digest",
                line=first_line,
            )
