"""Small readings of a report dict shared by the renderers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homelabctl.model import Layer

SEVERITY_ICON = {"critical": "🔴", "warning": "🟡", "info": "🔵"}


def object_label(obj: Mapping[str, Any]) -> str:
    if obj.get("namespace"):
        return f"{obj['kind']} {obj['namespace']}/{obj['name']}"
    return f"{obj['kind']} {obj['name']}"


def findings_by_id(report: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in report["findings"]}


def by_layer(findings: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        grouped.setdefault(finding["layer"], []).append(finding)
    return [(layer.value, grouped[layer.value]) for layer in Layer if layer.value in grouped]


def check_titles() -> dict[str, str]:
    from homelabctl.checks.registry import all_checks

    return {spec.id: spec.title for spec in all_checks()}


def chain_lines(rc: dict[str, Any], indent: str) -> list[str]:
    """Markdown lines for a root cause's chain: ``cause —edge→ symptom`` with the words that made each edge."""
    links = rc.get("chain") or []
    if not links:
        return []
    out = [f"{indent[:-2]}- **How it spreads**:" if indent else "**How it spreads**:"]
    for link in links:
        out.append(
            f"{indent}- {object_label(link['from'])} —{link['edge']}→ {object_label(link['to'])}"
            f" ({link['provenance']})"
        )
    return out
