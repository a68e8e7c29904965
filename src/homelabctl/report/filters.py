"""Narrow a report to what the user asked for and decide the exit code.

--layer, --min-severity, -n/--namespace change what is shown; --skip and the ignore file also change
whether the run fails (an accepted finding must not page anyone), and say how many they hid.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from homelabctl.model import Severity

if TYPE_CHECKING:
    from homelabctl.ignorefile import Ignores


def filter_report(
    report: dict[str, Any],
    layers: Iterable[str] = (),
    min_severity: Severity | None = None,
    namespaces: Iterable[str] = (),
    ignores: Ignores | None = None,
) -> dict[str, Any]:
    wanted_layers = set(layers)
    wanted_ns = set(namespaces)
    if not wanted_layers and min_severity is None and not wanted_ns and not ignores:
        return report
    out = copy.copy(report)
    ignored = {f["id"] for f in report["findings"] if ignores and ignores.ignored(f["check"], f["object"])}

    def keep(finding: dict[str, Any]) -> bool:
        if finding["id"] in ignored:
            return False
        if wanted_layers and finding["layer"] not in wanted_layers:
            return False
        if wanted_ns and finding["object"].get("namespace") not in wanted_ns:
            return False
        return min_severity is None or Severity(finding["severity"]).rank >= min_severity.rank

    kept = {f["id"] for f in report["findings"] if keep(f)}
    # a kept finding's root cause stays visible even when it sits in a layer or namespace the user did not
    # ask for (a media pod's cause is often a node); an ignored cause is hidden with its own finding only
    kept |= {
        f["root_cause"]
        for f in report["findings"]
        if f["id"] in kept and f.get("root_cause") and f["root_cause"] not in ignored
    }
    out["findings"] = [f for f in report["findings"] if f["id"] in kept]
    out["root_causes"] = [
        {**rc, "symptoms": [s for s in rc["symptoms"] if s in kept]}
        for rc in report["root_causes"]
        if rc["finding"] in kept
    ]
    if wanted_layers:
        out["not_evaluated"] = [n for n in report["not_evaluated"] if n.get("layer") in wanted_layers]
        out["partially_evaluated"] = [
            n for n in report.get("partially_evaluated", []) if n.get("layer") in wanted_layers
        ]
    # the summary describes what is shown
    summary = dict(report.get("summary", {}))
    severities = [f["severity"] for f in out["findings"]]
    summary.update({sev: severities.count(sev) for sev in ("critical", "warning", "info")})
    summary.update(
        {
            "findings": len(out["findings"]),
            "root_causes": len(out["root_causes"]),
            "not_evaluated": len(out["not_evaluated"]),
        }
    )
    if ignores:
        summary["ignored"] = len(ignored)
    out["summary"] = summary
    return out


def exit_code_for(report: dict[str, Any], fail_on: Severity | None) -> int:
    """1 when a finding is at or above ``fail_on`` (None: never), else 0."""
    if fail_on is None:
        return 0
    return 1 if any(Severity(f["severity"]).rank >= fail_on.rank for f in report["findings"]) else 0
