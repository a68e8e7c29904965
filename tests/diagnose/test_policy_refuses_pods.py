"""policy-refuses-pods: the admission policy that refuses a controller's pods explains its workload's outage,
and nothing it did not refuse."""

from __future__ import annotations

from homelabctl.analysis import analyze
from homelabctl.diagnose.context import RuleContext
from homelabctl.diagnose.graph import DependencyGraph
from homelabctl.diagnose.rules.policy_refuses_pods import policy_refuses_pods
from homelabctl.model import Finding, Layer, ObjectRef, Severity

from factories import state
from factories_platform import KYVERNO_DENIED, kyverno_cluster_policy, refused_by_admission


def test_the_policy_is_the_cause_of_the_workloads_it_refuses() -> None:
    objs = [
        kyverno_cluster_policy("require-requests-limits"),
        *refused_by_admission("bazarr", "media", KYVERNO_DENIED.format(ns="media")),
        *refused_by_admission("mealie", "home", KYVERNO_DENIED.format(ns="home")),
    ]
    report = analyze(state(objs)).report
    [top] = report["root_causes"]
    assert top["object"] == {"kind": "ClusterPolicy", "namespace": None, "name": "require-requests-limits"}
    assert top["rule"] == "policy-refuses-pods"
    symptoms = {f["object"]["name"] for f in report["findings"] if f["id"] in top["symptoms"]}
    assert {"bazarr", "mealie"} <= symptoms


def test_another_policy_explains_nothing() -> None:
    st = state(
        [
            kyverno_cluster_policy("other"),
            *refused_by_admission("bazarr", "media", KYVERNO_DENIED.format(ns="media")),
        ]
    )
    finding = Finding(
        "admission-policy-refuses-pods",
        Layer.SECURITY,
        Severity.CRITICAL,
        ObjectRef("ClusterPolicy", None, "other"),
        "x",
    )
    assert policy_refuses_pods(RuleContext(st, DependencyGraph(st), [finding]), finding) is None
