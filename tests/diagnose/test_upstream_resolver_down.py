"""upstream-resolver-down, on the upstream-dns-unreachable finding: the resolver behind CoreDNS is the cause of the Flux sources that cannot resolve and
of the registry that looks unreachable only because its name does not resolve."""

from __future__ import annotations

from factories_dns import dns_forwarding_to as _dns
from factories_dns import sources_failing_lookup as _failing
from homelabctl.analysis import analyze
from homelabctl.diagnose.context import RuleContext
from homelabctl.diagnose.graph import DependencyGraph
from homelabctl.diagnose.rules.upstream_resolver_down import upstream_resolver_down
from homelabctl.k8s.refs import external_host
from homelabctl.model import Finding, Layer, Severity

from factories import node, state


def test_the_upstream_resolver_is_the_cause_of_the_sources() -> None:
    report = analyze(state([node("k3s1"), *_dns(), *_failing("github.com", "charts.jetstack.io")])).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "ExternalHost", "namespace": None, "name": "192.168.10.53"}
    assert top["rule"] == "upstream-resolver-down"
    assert top["symptoms"], "the failing sources are its symptoms"
    assert any(s["command"].startswith("dig @192.168.10.53 ") for s in top["next_steps"])


def test_the_rule_explains_nothing_for_a_server_nothing_failed_through() -> None:
    st = state([node("k3s1"), *_dns()])
    finding = Finding(
        "upstream-dns-unreachable", Layer.NETWORK, Severity.CRITICAL, external_host("10.0.0.53"), "x"
    )
    assert upstream_resolver_down(RuleContext(st, DependencyGraph(st), [finding]), finding) is None
