"""networkpolicy-blocks-dns: a policy isolates egress and lets the pods reach only their namespace; their
lookups of cluster names go unanswered (https://github.com/kubernetes/website/issues/38267).
"""

from __future__ import annotations

from typing import Any

from checks.helpers import findings

from factories import container_status, pod
from factories_diag import namespace, network_policy

NO_DNS = (
    'django.db.utils.OperationalError: could not translate host name "postgres.home.svc.cluster.local" to address: '
    "Temporary failure in name resolution"
)
TO_DNS = {
    "to": [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ],
    "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
}


def egress_policy(
    name: str, *rules: dict[str, Any], selector: dict[str, Any] | None = None
) -> dict[str, Any]:
    policy = network_policy(
        name,
        "home",
        pod_selector=selector,
        policy_types=["Ingress", "Egress"],
        ingress=[{"from": [{"podSelector": {}}]}],
    )
    policy["spec"]["egress"] = list(rules)
    return policy


def crashing(name: str, message: str = NO_DNS) -> dict[str, Any]:
    status = container_status(
        name,
        "ghcr.io/paperless-ngx/paperless-ngx:2.16.3",
        state="waiting",
        reason="CrashLoopBackOff",
        restarts=21,
        last_terminated={"message": message},
    )
    return pod(
        f"{name}-6hsfs", "home", labels={"app.kubernetes.io/name": name}, statuses=[status], ready=False
    )


def cluster(*objs: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        namespace("home"),
        namespace("kube-system"),
        pod("coredns-5d8f9", "kube-system", labels={"k8s-app": "kube-dns"}),
        *objs,
    ]


def test_fires_on_a_default_deny_that_leaves_out_dns() -> None:
    objs = cluster(
        egress_policy("default-deny", {"to": [{"podSelector": {}}]}),
        crashing("paperless-ngx"),
        crashing("mealie"),
    )
    [finding] = findings("networkpolicy-blocks-dns", objs)
    assert (finding.object.kind, finding.object.namespace, finding.object.name) == (
        "NetworkPolicy",
        "home",
        "default-deny",
    )
    assert finding.layer.value == "network" and finding.severity.value == "critical"
    assert "2 pod(s) cannot resolve names" in finding.message
    assert any(
        "Temporary failure in name resolution" in e and e.startswith("pod home/mealie")
        for e in finding.evidence
    )


def test_silent_when_a_rule_or_another_policy_lets_dns_out() -> None:
    with_dns = cluster(
        egress_policy("default-deny", {"to": [{"podSelector": {}}]}, TO_DNS), crashing("paperless-ngx")
    )
    assert findings("networkpolicy-blocks-dns", with_dns) == []
    two_policies = cluster(
        egress_policy("default-deny", {"to": [{"podSelector": {}}]}),
        egress_policy("allow-dns", TO_DNS),
        crashing("paperless-ngx"),
    )
    assert findings("networkpolicy-blocks-dns", two_policies) == []


def test_fires_when_the_dns_rule_names_another_port() -> None:
    wrong_port = {**TO_DNS, "ports": [{"port": 5353, "protocol": "UDP"}]}
    [finding] = findings(
        "networkpolicy-blocks-dns",
        cluster(egress_policy("default-deny", wrong_port), crashing("paperless-ngx")),
    )
    assert finding.object.name == "default-deny"


def test_silent_without_unanswered_lookups_or_egress_isolation() -> None:
    refused = crashing(
        "paperless-ngx", "connection to server at 10.43.12.7, port 5432 failed: Connection refused"
    )
    assert (
        findings(
            "networkpolicy-blocks-dns",
            cluster(egress_policy("default-deny", {"to": [{"podSelector": {}}]}), refused),
        )
        == []
    )
    ingress_only = network_policy("ingress-only", "home", ingress=[{"from": [{"podSelector": {}}]}])
    assert findings("networkpolicy-blocks-dns", cluster(ingress_only, crashing("paperless-ngx"))) == []
