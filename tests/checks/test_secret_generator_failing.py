"""secret-generator-failing: a SealedSecret its controller cannot decrypt, or an ExternalSecret that cannot sync
from a Ready store, whose Secret was never written (https://github.com/bitnami/sealed-secrets/issues/442)."""

from __future__ import annotations

from checks.helpers import findings
from homelabctl.model import Finding

from factories_apps import secret
from factories_platform import app_needing_secret, external_secret, sealed_secret, secret_store


def _run(objs: list[dict[str, object]]) -> list[Finding]:
    return findings("secret-generator-failing", objs, captured=["Secret"])


def test_fires_on_the_sealed_secret_that_cannot_be_decrypted() -> None:
    objs = [
        sealed_secret("vaultwarden", "security", synced=False),
        *app_needing_secret("vaultwarden", "security", "vaultwarden", waiting=True),
    ]
    [finding] = _run(objs)
    assert (finding.object.kind, finding.object.name) == ("SealedSecret", "vaultwarden")
    assert finding.severity.value == "critical" and finding.layer.value == "platform"
    assert "Synced=False: no key could decrypt secret (ADMIN_TOKEN)" in finding.evidence
    assert "1 pod(s) need it" in finding.message
    assert "kubeseal" in finding.hint


def test_a_warning_when_no_pod_needs_the_secret() -> None:
    [finding] = _run([sealed_secret("vaultwarden", "security", synced=False)])
    assert finding.severity.value == "warning"


def test_fires_on_an_external_secret_failing_with_a_ready_store() -> None:
    objs = [secret_store(True), external_secret("immich-secret", "home", ready=False)]
    [finding] = _run(objs)
    assert finding.object.kind == "ExternalSecret"


def test_silent_when_the_store_is_not_ready() -> None:
    objs = [secret_store(False), external_secret("immich-secret", "home", ready=False)]
    assert _run(objs) == []


def test_silent_when_synced_or_when_the_secret_exists() -> None:
    assert _run([sealed_secret("vaultwarden", "security", synced=True)]) == []
    objs = [
        sealed_secret("vaultwarden", "security", synced=False),
        secret("vaultwarden", "security", {"ADMIN_TOKEN": "x" * 20}),
    ]
    assert _run(objs) == []
