"""config-file-breaks-workload: the ConfigMap key a crashing container quotes is the cause of the crash loop, the
workload short of replicas and what the workload serves; a crash quoting no mounted key leaves the workload the
cause."""

from __future__ import annotations

from homelabctl.analysis import analyze

from factories import state
from factories_apps import coredns_with_custom


def test_the_configmap_is_the_cause_of_the_crashing_workload() -> None:
    report = analyze(state(coredns_with_custom())).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "ConfigMap", "namespace": "kube-system", "name": "coredns-custom"}
    assert top["rule"] == "config-file-breaks-workload"
    held = {(f["check"], f["object"]["kind"]) for f in report["findings"] if f["id"] in top["symptoms"]}
    assert {("pod-crashloop", "Pod"), ("workload-replicas-unavailable", "Deployment")} <= held
    assert any(
        "home.server at /etc/coredns/custom/home.server" in link["provenance"] for link in top["chain"]
    )


def test_a_crash_quoting_no_mounted_key_is_the_workloads_own() -> None:
    report = analyze(
        state(coredns_with_custom("open /var/lib/coredns/cache.db: read-only file system"))
    ).report
    assert all(rc["object"]["kind"] != "ConfigMap" for rc in report["root_causes"])
