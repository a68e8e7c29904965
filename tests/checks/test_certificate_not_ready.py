from __future__ import annotations

from datetime import timedelta

from factories_platform import certificate, certificate_request, challenge, cluster_issuer, condition
from helpers import findings, run_one

ORDER_ERROR = (
    'Failed to wait for order resource "wildcard-fletcherlabs-net-2-3184992261" to become ready: '
    'order is in "errored" state: Failed to determine a valid solver configuration for the set of '
    "domains on the Order: no configured challenge solvers can be used for this challenge"
)


def _failing_cert() -> dict[str, object]:
    return certificate(
        "wildcard-fletcherlabs-net",
        revision=2,
        failed_attempts=3,
        ready=condition(
            "Ready",
            "False",
            "DoesNotExist",
            "Issuing certificate as Secret does not exist",
            age=timedelta(hours=3),
        ),
        issuing=condition(
            "Issuing",
            "False",
            "Failed",
            f"The certificate request has failed to complete and will be retried: {ORDER_ERROR}",
        ),
    )


def test_fires_with_issuing_failure_and_latest_request() -> None:
    cert = _failing_cert()
    old = certificate_request(
        cert, 1, ready=condition("Ready", "True", "Issued", "Certificate fetched from issuer successfully")
    )
    new = certificate_request(cert, 2, ready=condition("Ready", "False", "Failed", ORDER_ERROR))
    found = findings("certificate-not-ready", [cert, old, new, cluster_issuer()])
    assert len(found) == 1
    f = found[0]
    assert f.object.kind == "Certificate" and f.object.name == "wildcard-fletcherlabs-net"
    assert f.severity.value == "critical"
    assert "3h" in f.message and "no configured challenge solvers" in f.message
    assert any(
        e.startswith("CertificateRequest wildcard-fletcherlabs-net-2: Ready=False reason=Failed")
        for e in f.evidence
    )
    assert not any("wildcard-fletcherlabs-net-1:" in e for e in f.evidence)
    assert any(e.startswith("failedIssuanceAttempts=3") for e in f.evidence)
    assert "cmctl status certificate wildcard-fletcherlabs-net -n networking" in f.hint


def test_adds_challenge_state_and_unready_issuer() -> None:
    cert = certificate(
        "grafana",
        "monitoring",
        dns_names=["grafana.fletcherlabs.net"],
        ready=condition(
            "Ready",
            "False",
            "DoesNotExist",
            "Issuing certificate as Secret does not exist",
            age=timedelta(minutes=45),
        ),
    )
    chall = challenge(
        "grafana-1-2845-1",
        "monitoring",
        "grafana.fletcherlabs.net",
        reason=("Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'"),
    )
    other = challenge("prometheus-1-77-1", "monitoring", "prometheus.fletcherlabs.net")
    issuer = cluster_issuer(
        ready=condition(
            "Ready",
            "False",
            "ErrRegisterACMEAccount",
            "Failed to register ACME account: 400 urn:ietf:params:acme:error:invalidEmail",
        )
    )
    found = findings("certificate-not-ready", [cert, chall, other, issuer])
    evidence = found[0].evidence
    assert any(
        "challenge grafana-1-2845-1 (HTTP-01 for grafana.fletcherlabs.net): state=pending" in e and "404" in e
        for e in evidence
    )
    assert not any("prometheus" in e for e in evidence)
    assert any(
        e.startswith("ClusterIssuer letsencrypt-prod: Ready=False reason=ErrRegisterACMEAccount")
        for e in evidence
    )


def test_fresh_first_issuance_is_silent() -> None:
    cert = certificate(
        "openwebui",
        "ai",
        dns_names=["openwebui.fletcherlabs.net"],
        ready=condition(
            "Ready",
            "False",
            "DoesNotExist",
            "Issuing certificate as Secret does not exist",
            age=timedelta(minutes=3),
        ),
        issuing=condition(
            "Issuing",
            "True",
            "DoesNotExist",
            "Issuing certificate as Secret does not exist",
            age=timedelta(minutes=3),
        ),
    )
    assert findings("certificate-not-ready", [cert]) == []


def test_silent_on_ready_certificate() -> None:
    assert findings("certificate-not-ready", [certificate("wildcard-fletcherlabs-net")]) == []


def test_not_evaluated_without_certificates() -> None:
    assert run_one("certificate-not-ready", [cluster_issuer()]).status == "not_evaluated"
