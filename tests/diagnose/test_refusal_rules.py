"""Cause rules for objects that refuse or hold what a workload needs: a Namespace's Pod Security level
(namespace-refuses-pods) and a PV's stale claimRef (stale-claim-ref). Small snapshots, the real checks."""

from __future__ import annotations

from typing import Any

from homelabctl.analysis import analyze
from homelabctl.diagnose.context import RuleContext
from homelabctl.diagnose.graph import DependencyGraph
from homelabctl.diagnose.rules.namespace_refuses_pods import namespace_refuses_pods
from homelabctl.model import Finding, Layer, ObjectRef, Severity

from factories import deployment, event, node, state, uid
from factories_apps import replicaset
from factories_diag import namespace, nfs_pv
from factories_infra import pvc

REFUSAL = (
    'Error creating: pods "home-assistant-7d9f8b6c5d-2mhd7" is forbidden: violates PodSecurity "baseline:latest": '
    "host namespaces (hostNetwork=true)"
)


def _refused(enforce: bool) -> list[dict[str, Any]]:
    deploy = deployment("home-assistant", "home", ready=0)
    rs = replicaset(deploy)
    rs["status"]["replicas"] = 0
    labels = {"pod-security.kubernetes.io/enforce": "baseline"} if enforce else {}
    return [node("k3s1"), namespace("home", labels), deploy, rs, event(rs, "FailedCreate", REFUSAL)]


def test_the_namespace_that_refuses_the_pods_is_the_cause() -> None:
    report = analyze(state(_refused(True))).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "Namespace", "namespace": None, "name": "home"}
    symptoms = {f["id"]: f["object"] for f in report["findings"] if f["id"] in top["symptoms"]}
    assert {"kind": "Deployment", "namespace": "home", "name": "home-assistant"} in symptoms.values()
    assert any(s["dangerous"] and "enforce=privileged" in (s["command"] or "") for s in top["next_steps"])


def test_the_rule_explains_nothing_in_a_namespace_without_refusals() -> None:
    st = state([node("k3s1"), namespace("home"), deployment("home-assistant", "home")])
    finding = Finding(
        "pod-security-refused", Layer.WORKLOAD, Severity.CRITICAL, ObjectRef("Namespace", None, "home"), "x"
    )
    assert namespace_refuses_pods(RuleContext(st, DependencyGraph(st), [finding]), finding) is None


def _claim_objects(stale: bool) -> list[dict[str, Any]]:
    pv = nfs_pv("jellyfin-media", "192.168.10.100", "/mnt/rust/media", claim=("media", "jellyfin-media"))
    if stale:
        pv["spec"]["claimRef"]["uid"] = uid("an earlier claim")
        pv["status"]["phase"] = "Released"
    claim = pvc("jellyfin-media", "media", "", phase="Pending")
    claim["spec"]["volumeName"] = "jellyfin-media"
    return [node("k3s1"), pv, claim]


def test_a_stale_claim_ref_makes_the_pv_the_cause_with_the_patch_marked_dangerous() -> None:
    causes = analyze(state(_claim_objects(True))).report["root_causes"]
    assert causes[0]["object"] == {"kind": "PersistentVolume", "namespace": None, "name": "jellyfin-media"}
    patch = [
        s for s in causes[0]["next_steps"] if "claimRef" in (s["command"] or "") and "patch" in s["command"]
    ]
    assert patch and patch[0]["dangerous"]


def test_a_current_claim_ref_names_no_pv() -> None:
    causes = analyze(state(_claim_objects(False))).report["root_causes"]
    assert all(c["object"]["kind"] != "PersistentVolume" for c in causes)
