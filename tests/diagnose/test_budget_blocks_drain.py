"""budget-blocks-drain: the budget that can never allow an eviction explains the drain that waits on it, and
nothing on nodes nobody drains."""

from __future__ import annotations

from homelabctl.analysis import analyze

from factories import node, state
from factories_platform import drain_job_pods, single_replica_with_budget


def test_the_budget_is_the_cause_of_the_stuck_drain() -> None:
    objs = [
        node("k3s2", unschedulable=True),
        node("k3s3"),
        *single_replica_with_budget("paperless-ngx", "home", "k3s2"),
        *drain_job_pods("k3s2"),
    ]
    report = analyze(state(objs)).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "PodDisruptionBudget", "namespace": "home", "name": "paperless-ngx"}
    assert top["rule"] == "budget-blocks-drain"
    symptoms = {f["object"]["name"] for f in report["findings"] if f["id"] in top["symptoms"]}
    assert any(name.startswith("apply-k3s-agent-on-k3s2") for name in symptoms)


def test_a_drain_of_another_node_is_not_its_symptom() -> None:
    objs = [
        node("k3s2"),
        node("k3s3", unschedulable=True),
        *single_replica_with_budget("paperless-ngx", "home", "k3s2"),
        *drain_job_pods("k3s3"),
    ]
    report = analyze(state(objs)).report
    drain = {f["id"] for f in report["findings"] if f["object"]["name"].startswith("apply-k3s-agent-on-k3s3")}
    assert drain, "the stuck drain has findings of its own"
    budget = [c for c in report["root_causes"] if c["object"]["kind"] == "PodDisruptionBudget"]
    assert not drain & {s for c in budget for s in c["symptoms"]}
