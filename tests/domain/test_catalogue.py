"""The catalogue of every id: complete, consistent, and what scores and the engine read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.helpers import run_one
from homelabctl import catalogue
from homelabctl.checks.registry import all_checks
from homelabctl.engine import MANIFESTS_REASON, run_checks
from homelabctl.model import Layer, Lifecycle, Nature
from homelabctl.scan.registry import all_rules
from homelabctl.scores import compute_scores
from homelabctl.sources.snapshot import SnapshotSource

from factories import node

REPO = Path(__file__).parents[1] / "repos" / "seed-homelab"


def test_every_registered_id_is_catalogued_once() -> None:
    entries = catalogue.catalogue()
    assert {e.id for e in entries if e.registry == "check"} == {s.id for s in all_checks()}
    assert {e.id for e in entries if e.registry == "scan"} == {r.id for r in all_rules()}
    assert catalogue.ids("cause"), "no cause rules catalogued"
    assert len({e.key for e in entries}) == len(entries)
    for entry in entries:
        assert entry.nature in Nature and entry.lifecycle in Lifecycle and entry.layer in Layer


def test_unknown_ids_fail_validation() -> None:
    check = catalogue.entry("check", "node-not-ready")
    bad_cause = catalogue.Entry(
        "cause", "x", Layer.NODE, Nature.STATE, (), Lifecycle.STABLE, "x", ("workload-single-replica",)
    )
    with pytest.raises(catalogue.CatalogueError, match="workload-single-replica"):
        catalogue.validate([check, bad_cause])
    bad_area = catalogue.Entry("check", "y", Layer.NODE, Nature.STATE, ("ha",), Lifecycle.STABLE, "y")
    with pytest.raises(catalogue.CatalogueError, match="unknown score areas"):
        catalogue.validate([bad_area])
    with pytest.raises(catalogue.CatalogueError, match="duplicate"):
        catalogue.validate([check, check])
    with pytest.raises(KeyError):
        catalogue.entry("check", "storage-single-node")


def test_cause_rules_promote_existing_checks() -> None:
    checks = catalogue.ids("check")
    for entry in catalogue.catalogue():
        assert set(entry.causes) <= checks, entry


def test_resilience_score_counts_only_checks_that_exist() -> None:
    """Regression: the score named workload-single-replica and storage-single-node, which never existed,
    and silently averaged fewer checks than it claimed."""
    ids = catalogue.checks_in_area("resilience")
    assert ids == {
        "single-control-plane",
        "important-data-on-local-path",
        "velero-no-offsite",
        "default-storage-class",
    }
    assert ids <= catalogue.ids("check")
    state = SnapshotSource([REPO]).load([])
    scores = compute_scores(state, run_checks(state))
    assert scores["resilience"].detail.startswith("0/1 resilience checks pass")


def test_manifests_get_configuration_checks_only() -> None:
    """A GitOps directory read as a snapshot: nothing was applied, so no state check may judge it."""
    state = SnapshotSource([REPO]).load([])
    run = run_checks(state)
    fired = {f.check for f in run.findings}
    assert "workload-replicas-unavailable" not in fired and "httproute-not-accepted" not in fired
    assert "pvc-not-bound" not in fired
    assert fired <= {e.id for e in catalogue.catalogue() if e.nature is Nature.CONFIGURATION}
    assert {"important-data-on-local-path", "flux-deprecated-api"} <= fired
    skipped = [r for r in run.results if r.reason == MANIFESTS_REASON]
    assert {r.spec.id for r in skipped} >= {"workload-replicas-unavailable", "pvc-not-bound"}
    assert all(r.spec.nature is Nature.STATE and r.status == "not_evaluated" for r in skipped)
    assert run.manifest_objects == len(state.index)


def test_manifest_objects_next_to_applied_ones_are_not_judged_by_state_checks(tmp_path: Path) -> None:
    applied = node("k3s1", ready="False")
    manifest = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "k3s9"}, "spec": {}}
    (tmp_path / "snap.json").write_text(
        json.dumps({"apiVersion": "v1", "kind": "List", "items": [applied, manifest]})
    )
    state = SnapshotSource([tmp_path]).load([])
    spec = next(s for s in all_checks() if s.id == "node-not-ready")
    result = run_checks(state, [spec]).results[0]
    assert [f.object.name for f in result.findings] == ["k3s1"]


def test_a_state_check_still_fires_on_applied_objects() -> None:
    result = run_one("node-not-ready", [node("k3s1", ready="False")])
    assert result.status == "failed"


def test_a_manifest_directory_gets_no_state_findings(tmp_path: Path) -> None:
    """The reported case: manifests gave critical "HTTPRoute not accepted" and "replicas unavailable"."""
    (tmp_path / "apps.yaml").write_text("""
apiVersion: apps/v1
kind: Deployment
metadata: {name: prometheus-server, namespace: monitoring}
spec:
  replicas: 2
  selector: {matchLabels: {app: prometheus}}
  template:
    metadata: {labels: {app: prometheus}}
    spec: {containers: [{name: prometheus, image: quay.io/prometheus/prometheus:v2.53.0}]}
---
apiVersion: v1
kind: Service
metadata: {name: prometheus-server, namespace: monitoring}
spec: {selector: {app: prometheus}, ports: [{port: 9090}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: prometheus, namespace: monitoring}
spec:
  parentRefs: [{name: main-gateway, namespace: networking}]
  hostnames: [prometheus.example.net]
  rules: [{backendRefs: [{name: prometheus-server, port: 9090}]}]
""")
    state = SnapshotSource([tmp_path]).load([])
    run = run_checks(state)
    fired = {f.check for f in run.findings}
    assert fired == {"admin-ui-exposed-without-auth"}
    results = {r.spec.id: r for r in run.results}
    for check_id in ("httproute-not-accepted", "workload-replicas-unavailable"):
        assert results[check_id].status == "not_evaluated" and results[check_id].reason == MANIFESTS_REASON
