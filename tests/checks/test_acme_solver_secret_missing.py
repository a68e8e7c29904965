"""acme-solver-secret-missing: a DNS-01 solver names a Secret absent from where cert-manager reads it.

Challenge reason as cert-manager writes it (https://github.com/cert-manager/cert-manager/issues/263).
"""

from __future__ import annotations

from typing import Any

from checks.helpers import findings

from factories_platform import challenge, cloudflare_dns01_solver, cluster_issuer, secret

REASON = 'error getting cloudflare service account: secret "cloudflare-api-token" not found'
KINDS = ["Secret", "ClusterIssuer.cert-manager.io", "Challenge.acme.cert-manager.io"]


def _objects(secret_ns: str, *, failing: bool) -> list[dict[str, Any]]:
    objs = [
        cluster_issuer(solvers=[cloudflare_dns01_solver(zones=["fletcherlabs.net"])]),
        secret("cloudflare-api-token", secret_ns, {"api-token": "x" * 40}),
    ]
    if failing:
        ch = challenge(
            "wildcard-1-2-3", "networking", "fletcherlabs.net", type_="DNS-01", wildcard=True, reason=REASON
        )
        ch["spec"]["solver"] = cloudflare_dns01_solver()
        objs.append(ch)
    return objs


def test_fires_on_the_ready_cluster_issuer_when_the_secret_moved() -> None:
    [finding] = findings("acme-solver-secret-missing", _objects("networking", failing=True), captured=KINDS)
    assert (finding.object.kind, finding.object.name) == ("ClusterIssuer", "letsencrypt-prod")
    assert finding.severity.value == "critical"
    text = " ".join(finding.evidence)
    assert "dns01.cloudflare.apiTokenSecretRef names Secret cert-manager/cloudflare-api-token" in text
    assert "exists in networking" in text and REASON in text


def test_warning_before_any_challenge_needs_it() -> None:
    [finding] = findings("acme-solver-secret-missing", _objects("networking", failing=False), captured=KINDS)
    assert finding.severity.value == "warning"


def test_silent_when_the_secret_is_in_the_cluster_resource_namespace() -> None:
    assert (
        findings("acme-solver-secret-missing", _objects("cert-manager", failing=False), captured=KINDS) == []
    )
