from __future__ import annotations

from datetime import timedelta

from homelabctl import kinds

from factories_platform import gateway, gateway_class, listener_conditions, secret
from helpers import findings, run_one


def test_fires_on_listener_with_invalid_certificate_ref() -> None:
    gw = gateway(
        https_conditions=listener_conditions(
            resolved=("False", "InvalidCertificateRef", "Invalid CertificateRef"), programmed="False"
        )
    )
    found = findings("gateway-not-accepted", [gw, gateway_class()])
    assert len(found) == 1
    f = found[0]
    assert (
        f.object.kind == "Gateway" and f.object.name == "main-gateway" and f.object.namespace == "networking"
    )
    assert (
        "has listener https with ResolvedRefs=False (InvalidCertificateRef: Invalid CertificateRef)"
        in f.message
    )
    assert (
        "listener https: ResolvedRefs=False reason=InvalidCertificateRef: Invalid CertificateRef"
        in f.evidence
    )
    assert "listener https: Programmed=False reason=Invalid: Listener not programmed" in f.evidence
    assert f.severity.value == "critical"
    assert "kubectl describe gateway main-gateway -n networking" in f.hint


def test_fires_on_missing_certificate_secret_even_without_status() -> None:
    gw = gateway(cert_secret="wildcard-fletcherlabs-net-tls")
    found = findings(
        "gateway-not-accepted", [gw, secret("other-tls", "networking", {"tls.crt": "x", "tls.key": "y"})]
    )
    assert (
        "has listener https whose certificateRef Secret networking/wildcard-fletcherlabs-net-tls does not exist"
        in found[0].message
    )


def test_fires_on_gateway_not_programmed() -> None:
    gw = gateway(programmed=("False", "AddressNotAssigned", "No available IP address in pool main-pool"))
    found = findings("gateway-not-accepted", [gw])
    assert (
        "is not Programmed (AddressNotAssigned: No available IP address in pool main-pool)"
        in found[0].message
    )
    assert found[0].severity.value == "critical"


def test_pending_too_long_is_warning_and_missing_class_critical() -> None:
    pending = gateway(
        accepted=("Unknown", "Pending", "Waiting for controller"),
        programmed=("Unknown", "Pending", "Waiting for controller"),
        condition_age=timedelta(hours=1),
    )
    found = findings("gateway-not-accepted", [pending, gateway_class()])
    assert found[0].severity.value == "warning"
    assert "no controller has reconciled it" in found[0].message
    wrong_class = gateway(
        class_name="nginx",
        accepted=("Unknown", "Pending", "Waiting for controller"),
        programmed=("Unknown", "Pending", "Waiting for controller"),
        condition_age=timedelta(hours=1),
    )
    found = findings("gateway-not-accepted", [wrong_class, gateway_class()])
    assert found[0].severity.value == "critical"
    assert "uses GatewayClass nginx, which does not exist" in found[0].message


def test_silent_on_programmed_gateway_with_its_secret() -> None:
    objs = [
        gateway(),
        gateway_class(),
        secret("wildcard-fletcherlabs-net-tls", "networking", {"tls.crt": "x", "tls.key": "y"}),
    ]
    assert findings("gateway-not-accepted", objs) == []


def test_not_evaluated_without_gateways() -> None:
    result = run_one("gateway-not-accepted", [gateway_class()])
    assert result.status == "not_evaluated"
    assert kinds.GATEWAY_KIND in result.reason
