"""secret-store-not-ready: an External Secrets store that cannot authenticate stops its ExternalSecrets.

Store and ExternalSecret statuses and events as External Secrets Operator writes them
(https://github.com/external-secrets/external-secrets/issues/3412, https://github.com/khuedoan/homelab/issues/115).
"""

from __future__ import annotations

from checks.helpers import findings

from factories import event
from factories_apps import secret
from factories_platform import external_secret, secret_store

UNAUTHORIZED = "validation failed: status 401: Invalid bearer token"


def test_critical_when_a_target_secret_was_never_written() -> None:
    broken = secret_store(False)
    objs = [
        broken,
        event(broken, "ValidationFailed", UNAUTHORIZED, count=90, component="external-secrets"),
        external_secret("paperless-secret", "home", ready=False),
        secret("paperless-secret", "home", {"PAPERLESS_SECRET_KEY": "x" * 50}),
        external_secret("immich-secret", "home", ready=False),
    ]
    [finding] = findings("secret-store-not-ready", objs)
    assert (finding.object.kind, finding.object.name) == ("ClusterSecretStore", "onepassword")
    assert finding.layer.value == "platform" and finding.severity.value == "critical"
    assert "2 of its 2 ExternalSecret(s) cannot sync, 1 Secret(s) were never written" in finding.message
    assert finding.evidence[0] == f"ValidationFailed: {UNAUTHORIZED} (x90)"
    assert (
        "Secret home/immich-secret (target of ExternalSecret immich-secret) does not exist"
        in finding.evidence
    )


def test_a_warning_while_every_target_holds_its_last_values() -> None:
    objs = [
        secret_store(False),
        external_secret("paperless-secret", "home", ready=False),
        secret("paperless-secret", "home", {"K": "v"}),
    ]
    [finding] = findings("secret-store-not-ready", objs)
    assert finding.severity.value == "warning"


def test_a_namespaced_store_serves_only_its_namespace() -> None:
    objs = [
        secret_store(False, kind="SecretStore", namespace="home"),
        external_secret("immich-secret", "home", ready=False, kind="SecretStore"),
        external_secret("grafana-secret", "monitoring", ready=False, kind="SecretStore"),
    ]
    [finding] = findings("secret-store-not-ready", objs)
    assert "1 of its 1 ExternalSecret(s)" in finding.message


def test_silent_when_the_store_is_ready() -> None:
    assert (
        findings(
            "secret-store-not-ready",
            [secret_store(True), external_secret("immich-secret", "home", ready=True)],
        )
        == []
    )
