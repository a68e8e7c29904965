"""acme-server-refusing: an ACME server refusing orders on its side (rate limit, internal error).

Let's Encrypt's duplicate-certificate limit as cert-manager quotes it (https://letsencrypt.org/docs/rate-limits/,
https://github.com/cert-manager/cert-manager/issues/3447): "429 urn:ietf:params:acme:error:rateLimited: too many
certificates (5) already issued for this exact set of identifiers in the last 168h0m0s, retry after ...".
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from homelabctl.k8s.acme_refusals import server_problem

from factories_platform import certificate, certificate_request, cluster_issuer, condition
from helpers import findings

LIMIT = (
    'Failed to wait for order resource "vault-fletcherlabs-6-2917463310" to become ready: order is in "errored" '
    "state: Failed to create Order: 429 urn:ietf:params:acme:error:rateLimited: too many certificates (5) already "
    "issued for this exact set of identifiers in the last 168h0m0s, retry after 2025-06-18T21:14:03Z: see "
    "https://letsencrypt.org/docs/rate-limits/#new-certificates-per-exact-set-of-identifiers"
)
UNAUTHORIZED = (
    'Failed to wait for order resource "vault-fletcherlabs-2-1" to become ready: order is in "invalid" state: '
    "403 urn:ietf:params:acme:error:unauthorized: Invalid response from http://vault.fletcherlabs.net/"
    ".well-known/acme-challenge/x: 404"
)


def refused(message: str) -> list[dict[str, Any]]:
    cert = certificate(
        "vault-fletcherlabs",
        dns_names=["vault.fletcherlabs.net"],
        ready=condition(
            "Ready", "False", "Failed", f"The certificate request has failed to complete: {message}"
        ),
        failed_attempts=3,
    )
    request = certificate_request(cert, 6, ready=condition("Ready", "False", "Failed", message))
    return [cluster_issuer(), cert, request]


def test_fires_on_the_issuer_server_that_rate_limits_an_order() -> None:
    ok = certificate("wildcard-fletcherlabs")
    [finding] = findings("acme-server-refusing", [*refused(LIMIT), ok])
    assert (finding.object.kind, finding.object.name) == ("ExternalHost", "acme-v02.api.letsencrypt.org")
    assert finding.layer.value == "platform" and finding.severity.value == "critical"
    assert "(rate limited): 1 Certificate(s)" in finding.message
    assert "server of ClusterIssuer letsencrypt-prod: acme-v02.api.letsencrypt.org" in finding.evidence
    assert "retry time it gives (2025-06-18T21:14:03Z)" in finding.hint


def test_silent_when_the_challenge_is_refused_not_the_order() -> None:
    assert findings("acme-server-refusing", refused(UNAUTHORIZED)) == []


def test_silent_once_the_certificate_is_issued() -> None:
    objs = refused(LIMIT)
    objs[1]["status"]["conditions"] = [condition("Ready", "True", "Ready", "Certificate is up to date")]
    objs[2]["status"]["conditions"][1] = condition(
        "Ready", "True", "Issued", "Certificate fetched from issuer"
    )
    assert findings("acme-server-refusing", objs) == []


def test_server_problem_reads_only_the_server_side_types() -> None:
    assert server_problem(LIMIT) == "rateLimited"
    assert server_problem("500 urn:ietf:params:acme:error:serverInternal: oops") == "serverInternal"
    assert server_problem(UNAUTHORIZED) == ""


@given(st.text(max_size=200))
def test_server_problem_answers_only_what_the_message_says(message: str) -> None:
    problem = server_problem(message)
    assert problem == "" or f"urn:ietf:params:acme:error:{problem}" in message
