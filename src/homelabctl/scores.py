"""Area scores, 0-100, each with the sentence behind it (the audit report's "Current State Summary").

Formulas (documented in docs/scoring.md, generated from this docstring's module):

- ``cluster_health``: Ready nodes / all nodes.
- ``service_availability``: Deployments, StatefulSets and DaemonSets whose ready replicas meet the desired
  count / all of them (scaled to 0 on purpose are left out).
- ``networking``, ``gitops``, ``storage``, ``backup``, ``security``: an object-credit score. The units are
  the objects of the area (listed per area below) plus any other object with a finding in the area's
  layers. A unit with no finding scores 1, one whose worst finding is a warning 0.5, critical 0; info
  findings do not lower a score. Score = 100 × credits / units.
- ``monitoring`` and ``resilience``: the share of the area's checks that passed (a check that could not be
  evaluated is left out of both sides): the monitoring layer's checks, and the checks registered with
  ``areas=["resilience"]`` (single-control-plane, important-data-on-local-path, velero-no-offsite,
  default-storage-class), read from :mod:`homelabctl.catalogue`.

An area with no units, or whose checks could not run, scores ``null`` ("not evaluated"), never 100.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec

from homelabctl import catalogue, kinds
from homelabctl.engine import CheckRun
from homelabctl.k8s.workloads import ready_and_desired
from homelabctl.kube import node_is_ready
from homelabctl.model import Finding, Layer, ObjectRef, Severity
from homelabctl.sources.base import ClusterState


class Score(msgspec.Struct, frozen=True):
    score: int | None
    detail: str

    def to_dict(self) -> dict[str, int | str | None]:
        return {"score": self.score, "detail": self.detail}


class UnitArea(msgspec.Struct, frozen=True):
    name: str
    label: str
    unit_kinds: tuple[str, ...]
    layers: frozenset[Layer]
    finding_kinds: frozenset[str] | None = None
    """Only findings on these object kinds count (None: any object kind)."""


UNIT_AREAS = (
    UnitArea(
        "networking",
        "network objects",
        (kinds.NODE, kinds.GATEWAY_KIND, kinds.HTTPROUTE),
        frozenset({Layer.NETWORK, Layer.PLATFORM}),
        frozenset(
            {
                "Node",
                "Gateway",
                "HTTPRoute",
                "GatewayClass",
                "ConfigMap",
                "CiliumBGPPeeringPolicy",
                "CiliumBGPClusterConfig",
                "CiliumLoadBalancerIPPool",
                "Service",
                "Ingress",
            }
        ),
    ),
    UnitArea(
        "gitops",
        "Flux objects",
        (
            kinds.FLUX_KUSTOMIZATION,
            kinds.HELM_RELEASE,
            kinds.GIT_REPOSITORY,
            kinds.HELM_REPOSITORY,
            kinds.OCI_REPOSITORY,
        ),
        frozenset({Layer.PLATFORM}),
        frozenset({"Kustomization", "HelmRelease", "GitRepository", "HelmRepository", "OCIRepository"}),
    ),
    UnitArea(
        "storage",
        "storage objects",
        (kinds.PVC, kinds.LONGHORN_VOLUME, kinds.CSI_NODE),
        frozenset({Layer.STORAGE}),
    ),
    UnitArea(
        "backup",
        "backup objects",
        (kinds.BACKUP_STORAGE_LOCATION, kinds.VOLUME_SNAPSHOT_LOCATION, kinds.VELERO_SCHEDULE),
        frozenset({Layer.BACKUP}),
    ),
    UnitArea(
        "security",
        "exposed routes and security objects",
        (kinds.HTTPROUTE, kinds.INGRESS),
        frozenset({Layer.SECURITY}),
    ),
)


_CREDIT = {Severity.CRITICAL: 0.0, Severity.WARNING: 0.5, Severity.INFO: 1.0}


def _unit_score(state: ClusterState, findings: Sequence[Finding], area: UnitArea) -> Score:
    if not any(state.availability(gk).readable for gk in area.unit_kinds) and not findings:
        return Score(None, f"not evaluated: no {area.label} could be read")
    worst: dict[ObjectRef, float] = {}
    for finding in findings:
        if finding.layer not in area.layers:
            continue
        if area.finding_kinds is not None and finding.object.kind not in area.finding_kinds:
            continue
        credit = _CREDIT[finding.severity]
        worst[finding.object] = min(worst.get(finding.object, 1.0), credit)
    count = _unit_count(state, area, worst)
    if not count:
        return Score(None, f"not evaluated: no {area.label} found")
    # credits are 0, 0.5 or 1: their sum is exact in any order
    degraded = sum(1 for c in worst.values() if c == 0.5)
    failing = sum(1 for c in worst.values() if c == 0.0)
    healthy = count - degraded - failing
    score = round(100 * (float(healthy) + 0.5 * degraded) / count)
    parts = [f"{healthy}/{count} {area.label} healthy"]
    if degraded:
        parts.append(f"{degraded} degraded")
    if failing:
        parts.append(f"{failing} failing")
    return Score(score, ", ".join(parts))


def _unit_count(state: ClusterState, area: UnitArea, found: dict[ObjectRef, float]) -> int:
    """How many units: the area's objects and the other objects with a finding (``found``), each object once.

    Counted without a reference per object when no object can be counted twice: an object's kind is its
    group-kind up to a dot, so when the area's group-kinds share no such prefix, no two objects of
    different group-kinds have the same reference."""
    index = state.index
    prefixes = [_dot_prefixes(gk) for gk in area.unit_kinds]
    if sum(map(len, prefixes)) != len(set().union(*prefixes)):
        refs = {res.ref for gk in area.unit_kinds for res in index.all(gk)}
        return len(refs | found.keys())
    count = sum(len(index.all(gk)) for gk in area.unit_kinds)
    for ref in found:
        if not any(
            (res := index.get(gk, ref.namespace, ref.name)) is not None and res.ref == ref
            for gk in area.unit_kinds
        ):
            count += 1
    return count


def _dot_prefixes(gk: str) -> set[str]:
    parts = gk.split(".")
    return {".".join(parts[: i + 1]) for i in range(len(parts))}


def _check_share(run: CheckRun, ids: Iterable[str] | None, layer: Layer | None, label: str) -> Score:
    wanted = set(ids) if ids is not None else None
    relevant = [
        r
        for r in run.results
        if (wanted is not None and r.spec.id in wanted) or (layer is not None and r.spec.layer == layer)
    ]
    evaluated = [r for r in relevant if r.status in ("passed", "failed")]
    if not evaluated:
        return Score(None, f"not evaluated: no {label} check could run")
    passed = [r for r in evaluated if r.status == "passed"]
    failed = sorted(r.spec.id for r in evaluated if r.status == "failed")
    detail = f"{len(passed)}/{len(evaluated)} {label} checks pass"
    if failed:
        detail += " (failing: " + ", ".join(failed) + ")"
    return Score(round(100 * len(passed) / len(evaluated)), detail)


def compute_scores(state: ClusterState, run: CheckRun) -> dict[str, Score]:
    findings = run.findings
    scores: dict[str, Score] = {}
    if state.availability(kinds.NODE).readable:
        nodes = state.index.all(kinds.NODE)
        ready = sum(1 for n in nodes if node_is_ready(n))
        scores["cluster_health"] = (
            Score(round(100 * ready / len(nodes)), f"{ready}/{len(nodes)} nodes Ready")
            if nodes
            else Score(None, "not evaluated: no nodes found")
        )
    else:
        scores["cluster_health"] = Score(None, "not evaluated: " + state.availability(kinds.NODE).reason)

    # one pass, no list per workload: every Deployment of a large cluster is counted here
    counted = ok = 0
    for gk in (kinds.DEPLOYMENT, kinds.STATEFULSET, kinds.DAEMONSET):
        for workload in state.index.all(gk):
            ready, desired = ready_and_desired(workload)
            if desired > 0:
                counted += 1
                if ready >= desired:
                    ok += 1
    if counted:
        scores["service_availability"] = Score(
            round(100 * ok / counted), f"{ok}/{counted} workloads fully available"
        )
    else:
        scores["service_availability"] = Score(None, "not evaluated: no workloads found")

    by_name = {area.name: area for area in UNIT_AREAS}
    scores["networking"] = _unit_score(state, findings, by_name["networking"])
    scores["gitops"] = _unit_score(state, findings, by_name["gitops"])
    scores["storage"] = _unit_score(state, findings, by_name["storage"])
    scores["backup"] = _unit_score(state, findings, by_name["backup"])
    scores["monitoring"] = _check_share(run, None, Layer.MONITORING, "monitoring")
    scores["security"] = _unit_score(state, findings, by_name["security"])
    scores["resilience"] = _check_share(run, catalogue.checks_in_area("resilience"), None, "resilience")
    return scores


AREA_LABELS = {
    "cluster_health": "Cluster Health",
    "service_availability": "Service Availability",
    "networking": "Networking",
    "gitops": "GitOps",
    "storage": "Storage",
    "backup": "Backup",
    "monitoring": "Monitoring",
    "security": "Security",
    "resilience": "HA/Resilience",
}
