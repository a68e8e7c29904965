"""secret-generator-fails: the SealedSecret that cannot be decrypted is the cause of the pods waiting for its
Secret and of their workload; not the Deployment, and not pods whose Secret exists."""

from __future__ import annotations

from homelabctl.analysis import analyze

from factories import state
from factories_apps import secret
from factories_platform import app_needing_secret, sealed_secret


def test_the_sealed_secret_is_the_cause_of_the_pod_waiting_for_its_secret() -> None:
    objs = [
        sealed_secret("vaultwarden", "security", synced=False),
        *app_needing_secret("vaultwarden", "security", "vaultwarden", waiting=True),
        sealed_secret("paperless", "home", synced=True),
        secret("paperless", "home", {"ADMIN_TOKEN": "x" * 20}),
        *app_needing_secret("paperless", "home", "paperless", waiting=False),
    ]
    report = analyze(state(objs)).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "SealedSecret", "namespace": "security", "name": "vaultwarden"}
    assert top["rule"] == "secret-generator-fails"
    held = {(f["check"], f["object"]["kind"]) for f in report["findings"] if f["id"] in top["symptoms"]}
    assert {("pod-config-error", "Pod"), ("workload-replicas-unavailable", "Deployment")} <= held
    assert not any(
        f["object"]["name"].startswith("paperless") for f in report["findings"] if f["id"] in top["symptoms"]
    )


def test_a_sealed_secret_no_pod_needs_explains_nothing() -> None:
    report = analyze(state([sealed_secret("vaultwarden", "security", synced=False)])).report
    assert all(rc["rule"] != "secret-generator-fails" for rc in report["root_causes"])
