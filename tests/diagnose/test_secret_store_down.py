"""secret-store-down: the store that is not Ready explains the pods waiting for a Secret its ExternalSecrets
never wrote, not the pods whose Secret still holds its last values."""

from __future__ import annotations

from homelabctl.analysis import analyze

from factories import container_status, deployment, state
from factories_apps import owned_pod, replicaset, secret
from factories_platform import external_secret, secret_store


def app_needing(name: str, secret_name: str, *, waiting: bool) -> list[dict[str, object]]:
    dep = deployment(name, "home", ready=0 if waiting else 1)
    dep["spec"]["template"]["spec"]["containers"][0]["env"] = [
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": secret_name, "key": "DB_PASSWORD"}}}
    ]
    rs = replicaset(dep)
    image = dep["spec"]["template"]["spec"]["containers"][0]["image"]
    status = (
        container_status(
            name,
            image,
            state="waiting",
            reason="CreateContainerConfigError",
            message=f'secret "{secret_name}" not found',
        )
        if waiting
        else container_status(name, image)
    )
    return [dep, rs, owned_pod(rs, "x2x9z", statuses=[status], ready=not waiting)]


def test_the_store_is_the_cause_of_the_pod_waiting_for_its_secret() -> None:
    objs = [
        secret_store(False),
        external_secret("immich-secret", "home", ready=False),
        external_secret("paperless-secret", "home", ready=False),
        secret("paperless-secret", "home", {"DB_PASSWORD": "x" * 20}),
        *app_needing("immich-server", "immich-secret", waiting=True),
        *app_needing("paperless", "paperless-secret", waiting=False),
    ]
    report = analyze(state(objs)).report
    top = report["root_causes"][0]
    assert top["object"] == {"kind": "ClusterSecretStore", "namespace": None, "name": "onepassword"}
    assert top["rule"] == "secret-store-down"
    symptoms = {f["object"]["name"] for f in report["findings"] if f["id"] in top["symptoms"]}
    assert "immich-server" in symptoms
    assert not any(name.startswith("paperless") for name in symptoms)
