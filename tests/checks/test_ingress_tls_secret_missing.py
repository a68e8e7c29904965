"""ingress-tls-secret-missing: an Ingress names a TLS Secret its namespace does not have.

Traefik's "Error configuring TLS for ingress cloud/nextcloud: secret cloud/wildcard-home-arpa-tls does not exist"
(https://github.com/traefik/traefik/issues/4280, https://github.com/traefik/traefik/issues/5052).
"""

from __future__ import annotations

from typing import Any

from checks.helpers import findings, run_one

from factories_apps import ingress, secret
from factories_platform import certificate


def with_tls(name: str, namespace: str, secret_name: str) -> dict[str, Any]:
    obj = ingress(name, namespace, f"{name}.home.arpa", name, 80)
    obj["spec"]["tls"] = [{"hosts": [f"{name}.home.arpa"], "secretName": secret_name}]
    return obj


def test_fires_when_the_secret_is_in_another_namespace() -> None:
    objs = [
        secret("wildcard-home-arpa-tls", "kube-system", {"tls.crt": "x"}),
        with_tls("nextcloud", "cloud", "wildcard-home-arpa-tls"),
    ]
    [finding] = findings("ingress-tls-secret-missing", objs)
    assert (finding.object.kind, finding.object.namespace, finding.object.name) == (
        "Ingress",
        "cloud",
        "nextcloud",
    )
    assert finding.layer.value == "network" and finding.severity.value == "critical"
    assert finding.evidence[0] == (
        "Secret wildcard-home-arpa-tls exists in namespace kube-system: an Ingress can only use a Secret of its own "
        "namespace (cloud)"
    )
    assert "spec.tls secretName: wildcard-home-arpa-tls for nextcloud.home.arpa" in finding.evidence


def test_says_when_no_namespace_has_it() -> None:
    [finding] = findings(
        "ingress-tls-secret-missing",
        [secret("other", "cloud", {"k": "v"}), with_tls("nextcloud", "cloud", "nextcloud-tls")],
    )
    assert finding.evidence[0] == "no Secret nextcloud-tls in any namespace"


def test_silent_when_the_secret_is_there_or_a_certificate_will_write_it() -> None:
    issuing = certificate("nextcloud", "cloud")
    issuing["spec"]["secretName"] = "nextcloud-tls"
    objs = [
        secret("grafana-tls", "monitoring", {"tls.crt": "x"}),
        with_tls("grafana", "monitoring", "grafana-tls"),
        issuing,
        with_tls("nextcloud", "cloud", "nextcloud-tls"),
    ]
    assert findings("ingress-tls-secret-missing", objs) == []


def test_not_evaluated_without_secrets() -> None:
    result = run_one("ingress-tls-secret-missing", [with_tls("nextcloud", "cloud", "nextcloud-tls")])
    assert result.status == "not_evaluated"
