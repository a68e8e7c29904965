from __future__ import annotations

from factories import container_status, event, pod
from factories_apps import secret
from helpers import findings, run_one

IMAGE = "ghcr.io/goauthentik/server:2024.6.1"


def _stuck(message: str) -> dict[str, object]:
    return pod(
        "authentik-server-5d8f9c7b6-k2j4h",
        "authentik",
        phase="Pending",
        containers=[{"name": "server", "image": IMAGE}],
        statuses=[
            container_status(
                "server", IMAGE, state="waiting", reason="CreateContainerConfigError", message=message
            )
        ],
    )


def test_fires_on_missing_secret_and_names_it() -> None:
    obj = _stuck('secret "authentik-secret" not found')
    ev = event(obj, "Failed", 'Error: secret "authentik-secret" not found', count=311)
    found = findings("pod-config-error", [obj, ev], captured=["Secret"])
    assert [f.object.name for f in found] == ["authentik-server-5d8f9c7b6-k2j4h"]
    assert "Secret authentik/authentik-secret does not exist" in found[0].message
    text = "\n".join(found[0].evidence)
    assert 'CreateContainerConfigError: secret "authentik-secret" not found' in text
    assert "Secret authentik/authentik-secret is not in the snapshot" in text
    assert "kubectl get secret -n authentik authentik-secret" in found[0].hint
    assert found[0].severity.value == "critical"


def test_fires_on_missing_key() -> None:
    obj = _stuck("couldn't find key cookie-secret in Secret monitoring/oauth2-proxy")
    found = findings("pod-config-error", [obj, secret("oauth2-proxy", "monitoring", {"client-id": "x"})])
    assert "key cookie-secret in Secret monitoring/oauth2-proxy" in found[0].message


def test_silent_on_running_pod() -> None:
    assert findings("pod-config-error", [pod("authentik-server-0", "authentik")]) == []


def test_not_evaluated_without_pods() -> None:
    assert run_one("pod-config-error", []).status == "not_evaluated"
