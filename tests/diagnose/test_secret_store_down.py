"""secret-store-down: the store that is not Ready explains the pods waiting for a Secret its ExternalSecrets
never wrote, not the pods whose Secret still holds its last values."""

from __future__ import annotations

from homelabctl.analysis import analyze

from factories import state
from factories_apps import secret
from factories_platform import app_needing_secret, external_secret, secret_store


def test_the_store_is_the_cause_of_the_pod_waiting_for_its_secret() -> None:
    objs = [
        secret_store(False),
        external_secret("immich-secret", "home", ready=False),
        external_secret("paperless-secret", "home", ready=False),
        secret("paperless-secret", "home", {"DB_PASSWORD": "x" * 20}),
        *app_needing_secret("immich-server", "home", "immich-secret", waiting=True, key="DB_PASSWORD"),
        *app_needing_secret("paperless", "home", "paperless-secret", waiting=False, key="DB_PASSWORD"),
    ]
    report = analyze(state(objs)).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "ClusterSecretStore", "namespace": None, "name": "onepassword"}
    assert top["rule"] == "secret-store-down"
    symptoms = {f["object"]["name"] for f in report["findings"] if f["id"] in top["symptoms"]}
    assert "immich-server" in symptoms
    assert not any(name.startswith("paperless") for name in symptoms)
