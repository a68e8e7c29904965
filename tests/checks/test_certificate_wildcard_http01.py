from __future__ import annotations

from factories_platform import (
    certificate,
    cloudflare_dns01_solver,
    cluster_issuer,
    http01_solver,
    ingress_http01_solver,
)
from helpers import findings, run_one


def test_fires_on_wildcard_with_http01_only_issuer_seed() -> None:
    issuer = cluster_issuer(solvers=[http01_solver()])
    cert = certificate("wildcard-fletcherlabs-net", dns_names=["*.fletcherlabs.net", "fletcherlabs.net"])
    found = findings("certificate-wildcard-http01", [issuer, cert])
    assert len(found) == 1
    f = found[0]
    assert f.object.kind == "Certificate" and f.object.name == "wildcard-fletcherlabs-net"
    assert "*.fletcherlabs.net" in f.message and "ClusterIssuer letsencrypt-prod" in f.message
    assert "HTTP-01" in f.message
    assert "solver[0]: http01 (gatewayHTTPRoute)" in f.evidence
    assert "dnsZones: [fletcherlabs.net]" in f.hint
    assert f.severity.value == "critical"


def test_dns01_solver_scoped_to_another_zone_does_not_cover() -> None:
    issuer = cluster_issuer(solvers=[ingress_http01_solver(), cloudflare_dns01_solver(zones=["example.org"])])
    found = findings("certificate-wildcard-http01", [issuer, certificate("wildcard-fletcherlabs-net")])
    assert len(found) == 1
    assert any("dns01 (cloudflare) selector dnsZones=['example.org']" in e for e in found[0].evidence)


def test_silent_when_dns01_covers_the_wildcard() -> None:
    zoned = cluster_issuer(solvers=[http01_solver(), cloudflare_dns01_solver(zones=["fletcherlabs.net"])])
    assert findings("certificate-wildcard-http01", [zoned, certificate("wildcard-fletcherlabs-net")]) == []
    named = cluster_issuer(
        solvers=[http01_solver(), cloudflare_dns01_solver(dns_names=["*.fletcherlabs.net"])]
    )
    assert findings("certificate-wildcard-http01", [named, certificate("wildcard-fletcherlabs-net")]) == []
    catch_all = cluster_issuer(solvers=[cloudflare_dns01_solver()])
    assert (
        findings("certificate-wildcard-http01", [catch_all, certificate("wildcard-fletcherlabs-net")]) == []
    )


def test_silent_on_plain_names_with_http01() -> None:
    cert = certificate("grafana", "monitoring", dns_names=["grafana.fletcherlabs.net"])
    assert findings("certificate-wildcard-http01", [cluster_issuer(), cert]) == []


def test_namespaced_issuer_is_looked_up_in_the_certificate_namespace() -> None:
    issuer = cluster_issuer("letsencrypt", namespace="networking")
    cert = certificate("wildcard-fletcherlabs-net", issuer="letsencrypt", issuer_kind="Issuer")
    found = findings("certificate-wildcard-http01", [issuer, cert])
    assert "Issuer networking/letsencrypt" in found[0].message


def test_not_evaluated_without_issuers() -> None:
    result = run_one("certificate-wildcard-http01", [certificate("wildcard-fletcherlabs-net")])
    assert result.status == "not_evaluated"
