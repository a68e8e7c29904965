from __future__ import annotations

from factories_platform import certificate, cluster_issuer, condition
from helpers import findings, run_one


def test_fires_on_unregistered_acme_account_and_counts_certificates() -> None:
    issuer = cluster_issuer(
        ready=condition(
            "Ready",
            "False",
            "ErrRegisterACMEAccount",
            'Failed to register ACME account: Get "https://acme-v02.api.letsencrypt.org/directory": dial tcp: '
            "lookup acme-v02.api.letsencrypt.org on 10.43.0.10:53: server misbehaving",
        )
    )
    certs = [
        certificate("wildcard-fletcherlabs-net"),
        certificate("grafana", "monitoring", dns_names=["grafana.fletcherlabs.net"]),
    ]
    found = findings("issuer-not-ready", [issuer, *certs])
    assert len(found) == 1
    f = found[0]
    assert f.object.kind == "ClusterIssuer" and f.object.name == "letsencrypt-prod"
    assert "Failed to register ACME account" in f.message
    assert "2 Certificate(s) use it: monitoring/grafana, networking/wildcard-fletcherlabs-net" in f.evidence
    assert f.severity.value == "critical"
    assert "kubectl describe clusterissuer letsencrypt-prod" in f.hint


def test_unused_issuer_is_only_a_warning() -> None:
    staging = cluster_issuer(
        "letsencrypt-staging",
        ready=condition(
            "Ready", "False", "ErrRegisterACMEAccount", "Failed to register ACME account: 400 invalidEmail"
        ),
    )
    found = findings(
        "issuer-not-ready", [staging, certificate("wildcard-fletcherlabs-net"), cluster_issuer()]
    )
    assert [f.object.name for f in found] == ["letsencrypt-staging"]
    assert found[0].severity.value == "warning"


def test_silent_on_registered_issuer() -> None:
    assert findings("issuer-not-ready", [cluster_issuer(), certificate("wildcard-fletcherlabs-net")]) == []


def test_not_evaluated_without_issuers() -> None:
    assert run_one("issuer-not-ready", [certificate("wildcard-fletcherlabs-net")]).status == "not_evaluated"
