"""The report as JUnit XML, the test-result format CI systems (GitLab, Jenkins, GitHub test reporters) display.

``homelabctl check --snapshot cluster.json -o junit --output-file report.xml`` in a pipeline shows every check
as a test: passed, failed (one failure naming each finding's object, message and first evidence line) or
skipped (not evaluated, with the reason). Checks that were only partly evaluated say so in their output.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from xml.etree import ElementTree as ET

_SEVERITIES = ["critical", "warning", "info"]


def _case(suite: ET.Element, check: str, layer: str) -> ET.Element:
    return ET.SubElement(
        suite, "testcase", {"classname": f"homelabctl.{layer}" if layer else "homelabctl", "name": check}
    )


def render_junit(report: dict[str, Any]) -> str:
    by_check: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in report["findings"]:
        by_check[finding["check"]].append(finding)
    partial = {row["check"]: row for row in report.get("partially_evaluated", [])}
    skipped = report["not_evaluated"]
    total = len(by_check) + len(report["passed"]) + len(skipped)
    suite = ET.Element(
        "testsuite",
        {
            "name": "homelabctl check",
            "tests": str(total),
            "failures": str(len(by_check)),
            "errors": "0",
            "skipped": str(len(skipped)),
            "timestamp": str(report.get("generated_at", "")),
        },
    )
    for check, found in sorted(by_check.items()):
        case = _case(suite, check, found[0]["layer"])
        worst = min((f["severity"] for f in found), key=_SEVERITIES.index)
        lines = []
        for f in found:
            obj = f["object"]
            where = f"{obj['namespace']}/{obj['name']}" if obj.get("namespace") else obj["name"]
            evidence = f["evidence"][0] if f.get("evidence") else ""
            lines.append(
                f"[{f['severity']}] {obj['kind']} {where}: {f['message']}"
                + (f"\n  {evidence}" if evidence else "")
            )
        failure = ET.SubElement(case, "failure", {"message": f"{len(found)} finding(s)", "type": worst})
        failure.text = "\n".join(lines)
        if check in partial:
            ET.SubElement(case, "system-out").text = f"partially evaluated: {partial[check]['reason']}"
    # the report lists passed checks by id only; their layer is the registry's (already loaded by the run: the
    # catalogue would import every scan and cause rule too)
    from homelabctl.checks.registry import all_checks

    layer_of = {spec.id: str(spec.layer) for spec in all_checks()}
    for check in sorted(report["passed"]):
        case = _case(suite, check, layer_of.get(check, ""))
        if check in partial:
            ET.SubElement(case, "system-out").text = f"partially evaluated: {partial[check]['reason']}"
    for row in sorted(skipped, key=lambda r: r["check"]):
        ET.SubElement(_case(suite, row["check"], row.get("layer", "")), "skipped", {"message": row["reason"]})
    ET.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode") + "\n"
