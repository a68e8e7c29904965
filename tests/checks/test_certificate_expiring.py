from __future__ import annotations

from datetime import timedelta

from factories_platform import certificate, condition
from helpers import findings, run_one


def test_expiring_within_14_days_is_warning_within_3_critical() -> None:
    soon = certificate(
        "grafana",
        "monitoring",
        dns_names=["grafana.fletcherlabs.net"],
        not_after=timedelta(days=10),
        renewal=timedelta(days=20),
    )
    very_soon = certificate(
        "longhorn",
        "longhorn-system",
        dns_names=["longhorn.fletcherlabs.net"],
        not_after=timedelta(days=2),
        renewal=timedelta(days=20),
    )
    found = {f.object.name: f for f in findings("certificate-expiring", [soon, very_soon])}
    assert found["grafana"].severity.value == "warning"
    assert "expires in 10d" in found["grafana"].message
    assert found["longhorn"].severity.value == "critical"
    assert "expires in 2d" in found["longhorn"].message
    assert any(e.startswith("notAfter=2025-06-18") for e in found["longhorn"].evidence)


def test_expired_is_critical() -> None:
    cert = certificate(
        "wildcard-fletcherlabs-net",
        not_after=timedelta(days=-1),
        renewal=timedelta(days=-31),
        ready=condition("Ready", "False", "Expired", "Certificate expired on Sun, 15 Jun 2025 03:00:00 UTC"),
    )
    found = findings("certificate-expiring", [cert])
    assert found[0].severity.value == "critical"
    assert "expired 24h ago" in found[0].message


def test_overdue_renewal_is_warning_with_issuing_failure() -> None:
    cert = certificate(
        "wildcard-fletcherlabs-net",
        not_after=timedelta(days=25),
        renewal=timedelta(days=-5),
        failed_attempts=4,
        issuing=condition(
            "Issuing",
            "False",
            "Failed",
            "The certificate request has failed to complete and will be retried: "
            "Failed to wait for order resource to become ready: 429 rateLimited",
        ),
    )
    found = findings("certificate-expiring", [cert])
    f = found[0]
    assert f.severity.value == "warning"
    assert "due for renewal 5d ago" in f.message
    assert any(e.startswith("Issuing=False reason=Failed") for e in f.evidence)
    assert any(e.startswith("failedIssuanceAttempts=4") for e in f.evidence)
    assert "cmctl renew wildcard-fletcherlabs-net -n networking" in f.hint


def test_silent_on_fresh_certificate() -> None:
    assert (
        findings(
            "certificate-expiring", [certificate("wildcard-fletcherlabs-net", not_after=timedelta(days=80))]
        )
        == []
    )


def test_not_evaluated_without_certificates() -> None:
    assert run_one("certificate-expiring", []).status == "not_evaluated"
