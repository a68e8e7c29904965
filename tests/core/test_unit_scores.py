"""The object-credit scores count each unit once: the area's objects and the other objects with a finding."""

from __future__ import annotations

from typing import Any

from homelabctl import scores
from homelabctl.model import Finding, Layer, ObjectRef, Severity
from homelabctl.scores import UnitArea

from factories import state


def _defined(st: Any, findings: list[Finding], area: UnitArea) -> scores.Score:
    """The score as docs/scoring.md defines it, one reference per object."""
    units: dict[ObjectRef, float] = {}
    for gk in area.unit_kinds:
        for res in st.index.all(gk):
            units[res.ref] = 1.0
    for f in findings:
        if f.layer in area.layers and (area.finding_kinds is None or f.object.kind in area.finding_kinds):
            units[f.object] = min(units.get(f.object, 1.0), scores._CREDIT[f.severity])
    healthy = sum(1 for c in units.values() if c == 1.0)
    degraded = sum(1 for c in units.values() if c == 0.5)
    failing = sum(1 for c in units.values() if c == 0.0)
    parts = [f"{healthy}/{len(units)} {area.label} healthy"]
    if degraded:
        parts.append(f"{degraded} degraded")
    if failing:
        parts.append(f"{failing} failing")
    return scores.Score(round(100 * sum(units.values()) / len(units)), ", ".join(parts))


def _obj(api_version: str, kind: str, name: str, namespace: str | None = "apps") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "uid": f"{kind}-{name}"}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": api_version, "kind": kind, "metadata": meta}


def _finding(kind: str, namespace: str | None, name: str, severity: Severity) -> Finding:
    return Finding("x", Layer.STORAGE, severity, ObjectRef(kind, namespace, name), "m")


def test_units_are_counted_once_with_and_without_a_shared_kind() -> None:
    st = state(
        [
            *(_obj("v1", "PersistentVolumeClaim", f"data-{i}") for i in range(5)),
            _obj("longhorn.io/v1beta2", "Volume", "data-0", "longhorn-system"),
            _obj("storage.k8s.io/v1", "CSINode", "k3s1", None),
            # same kind and name in another group: one reference for two objects of the area below
            _obj("example.com/v1", "PersistentVolumeClaim", "data-1"),
        ]
    )
    findings = [
        _finding("PersistentVolumeClaim", "apps", "data-0", Severity.WARNING),
        _finding("PersistentVolumeClaim", "apps", "data-0", Severity.CRITICAL),
        _finding("PersistentVolumeClaim", "apps", "data-2", Severity.INFO),
        _finding("PersistentVolumeClaim", "apps", "data-3", Severity.WARNING),
        _finding("PersistentVolume", None, "pv-1", Severity.CRITICAL),  # not a unit kind: a unit of its own
        _finding(
            "PersistentVolumeClaim", "", "data-4", Severity.CRITICAL
        ),  # not the object (its namespace is "")
        _finding("PersistentVolumeClaim", "apps", "gone", Severity.INFO),
        _finding("CSINode", "", "k3s1", Severity.WARNING),  # not the cluster-scoped object: a unit of its own
    ]
    storage = next(a for a in scores.UNIT_AREAS if a.name == "storage")
    shared = UnitArea(
        "shared", "claims", ("PersistentVolumeClaim", "PersistentVolumeClaim.example.com"), storage.layers
    )
    for area in (storage, shared):
        got = scores._unit_score(st, findings, area)
        assert got == _defined(st, findings, area), area.name
    # data-1 of both groups is one unit; the two "" namespaces, PersistentVolume and "gone" are four more
    assert scores._unit_score(st, findings, shared).detail == "4/9 claims healthy, 2 degraded, 3 failing"
    assert (
        scores._unit_score(st, findings, storage).detail
        == "6/11 storage objects healthy, 2 degraded, 3 failing"
    )
