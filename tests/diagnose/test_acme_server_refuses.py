"""acme-server-refuses: an ACME server's refusal explains the Certificates it refused and what serves them,
not the issuer's other Certificates."""

from __future__ import annotations

from homelabctl.analysis import analyze
from homelabctl.diagnose.context import RuleContext
from homelabctl.diagnose.graph import DependencyGraph
from homelabctl.diagnose.rules.acme_server_refuses import acme_server_refuses
from homelabctl.model import Finding, Layer, ObjectRef, Severity

from factories import state
from factories_platform import certificate, certificate_request, cluster_issuer, condition

LIMIT = (
    "Failed to create Order: 429 urn:ietf:params:acme:error:rateLimited: too many certificates (5) already issued "
    "for this exact set of identifiers in the last 168h0m0s, retry after 2025-06-18T21:14:03Z"
)


def test_the_server_is_the_cause_of_the_certificate_it_refused() -> None:
    cert = certificate(
        "vault-fletcherlabs",
        dns_names=["vault.fletcherlabs.net"],
        ready=condition("Ready", "False", "Failed", f"The certificate request has failed: {LIMIT}"),
        failed_attempts=3,
    )
    request = certificate_request(cert, 6, ready=condition("Ready", "False", "Failed", LIMIT))
    report = analyze(state([cluster_issuer(), cert, request, certificate("wildcard-fletcherlabs")])).report
    top = report["root_causes"][0]
    assert top["object"] == {
        "kind": "ExternalHost",
        "namespace": None,
        "name": "acme-v02.api.letsencrypt.org",
    }
    assert top["rule"] == "acme-server-refuses"
    symptoms = {(f["check"], f["object"]["name"]) for f in report["findings"] if f["id"] in top["symptoms"]}
    assert ("certificate-not-ready", "vault-fletcherlabs") in symptoms
    # issued, but asking for a wildcard through HTTP-01 (a configuration finding): its evidence names the
    # issuer's server, which says what it uses, not what failed it
    assert ("certificate-wildcard-http01", "wildcard-fletcherlabs") in {
        (f["check"], f["object"]["name"]) for f in report["findings"]
    }
    assert not any(name == "wildcard-fletcherlabs" for _, name in symptoms)


def test_the_rule_explains_nothing_when_no_certificate_quotes_the_server() -> None:
    st = state([cluster_issuer(), certificate("wildcard-fletcherlabs")])
    finding = Finding(
        "acme-server-refusing",
        Layer.PLATFORM,
        Severity.CRITICAL,
        ObjectRef("ExternalHost", None, "acme-v02.api.letsencrypt.org"),
        "x",
    )
    assert acme_server_refuses(RuleContext(st, DependencyGraph(st), [finding]), finding) is None
