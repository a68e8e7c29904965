from __future__ import annotations

import re
from collections.abc import Iterator

from homelabctl.knowledge.charts import RENAMED_VALUES
from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.flux import HelmReleaseInfo
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.rules._common import dig, values_line

_NUM = re.compile(r"(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?")


def version_floor(constraint: str | None) -> tuple[tuple[int, int, int] | None, bool]:
    """(lowest version a constraint allows, whether it has an upper bound). None floor = any version."""
    if constraint is None:
        return None, False
    text = constraint.strip().lstrip("vV=")
    if text in ("", "*", "latest", "x", "X"):
        return None, False
    match = _NUM.search(text)
    if match is None:
        return None, False
    parts = [int(p) if p and p.isdigit() else 0 for p in match.groups()]
    floor = (parts[0], parts[1], parts[2])
    op_free = not any(c in text for c in "<>^~*xX|,") and not re.search(r"\s", text)
    bounded = op_free or "<" in text or text.startswith(("^", "~")) or bool(re.search(r"\.[xX*]", text))
    return floor, bounded


def _applies(hr: HelmReleaseInfo, since: tuple[int, int, int]) -> tuple[bool, str]:
    floor, bounded = version_floor(hr.version)
    if floor is None:
        return True, f"chart version {hr.version or '(none)'} floats to the latest release"
    if floor >= since:
        return True, f"chart version {hr.version}"
    if not bounded:
        return True, f"chart version {hr.version} allows {since[0]}.{since[1]}.{since[2]} and later"
    return False, ""


@rule("renamed-chart-value", layer=Layer.PLATFORM, severity=Severity.WARNING)
def renamed_chart_value(ctx: ScanContext) -> Iterator[Finding]:
    """A HelmRelease sets a chart value that the chart version it installs has renamed.

    For charts homelabs commonly use, reads HelmRelease ``spec.values`` for keys that were renamed and the
    chart version constraint: ``service.port`` → ``service.portNumber`` (oauth2-proxy chart 4),
    ``installCRDs`` → ``crds.enabled`` (cert-manager 1.15, still accepted: info), ``tunnel`` →
    ``routingMode``/``tunnelProtocol`` (Cilium 1.15). The old key is silently ignored (or fails the chart's
    schema), so the setting you think you made is not there. Fires when the version constraint can reach
    the release that renamed the key, including a missing or ``*`` version.

    Next step: move the value to the new key; read the chart's upgrade notes before bumping majors.
    """
    for rename in RENAMED_VALUES:
        for hr in ctx.helm_releases(rename.chart):
            if dig(hr.values, *rename.old) is None:
                continue
            applies, why = _applies(hr, rename.since)
            if not applies:
                continue
            old = ".".join(rename.old)
            since = ".".join(map(str, rename.since))
            state = "no longer reads" if rename.removed else "deprecates"
            yield ctx.finding(
                hr.doc,
                f"HelmRelease {hr.namespace}/{hr.name} sets {old}, which {rename.chart} {since}+ {state}; "
                f"use {rename.new}",
                evidence=[f"values.{old}: {dig(hr.values, *rename.old)!r}", why, rename.note],
                hint=f"Move values.{old} to {rename.new}",
                severity=None if rename.removed else Severity.INFO,
                line=values_line(hr, *rename.old),
            )
