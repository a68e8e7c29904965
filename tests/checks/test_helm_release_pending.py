from __future__ import annotations

from datetime import timedelta

from factories_diag import helm_secret
from factories_platform import condition, helm_release
from helpers import findings, run_one

# https://github.com/fluxcd/helm-controller/issues/149 (the lock helm-controller reports)
LOCKED = "Helm upgrade failed: another operation (install/upgrade/rollback) is in progress"


def test_fires_on_the_helmrelease_whose_latest_revision_is_pending() -> None:
    hr = helm_release("immich", "media", ready=condition("Ready", "False", "UpgradeFailed", LOCKED))
    objs = [
        hr,
        helm_secret("immich", "media", 4, "deployed", age=timedelta(days=3)),
        helm_secret("immich", "media", 5, "pending-upgrade", age=timedelta(hours=2)),
    ]
    found = findings("helm-release-pending", objs)
    assert [(f.object.kind, f.object.namespace, f.object.name) for f in found] == [
        ("HelmRelease", "media", "immich")
    ]
    f = found[0]
    assert f.message.startswith("Helm release media/immich is stuck in pending-upgrade for 120m")
    assert (
        "Secret media/sh.helm.release.v1.immich.v5: status=pending-upgrade version=5, for 120m" in f.evidence
    )
    assert "installed by HelmRelease media/immich" in f.evidence
    assert (
        "helm -n media rollback immich" in f.hint
        and "flux reconcile helmrelease immich -n media --force" in f.hint
    )


def test_fires_on_the_secret_of_a_cli_release_and_on_a_reported_lock() -> None:
    cli = helm_secret("traefik", "kube-system", 2, "pending-install", age=timedelta(hours=1))
    locked = helm_release("grafana", "monitoring", ready=condition("Ready", "False", "UpgradeFailed", LOCKED))
    found = {f.object.kind: f for f in findings("helm-release-pending", [cli, locked])}
    assert found["Secret"].object.name == "sh.helm.release.v1.traefik.v2"
    assert "no HelmRelease manages this release" in " ".join(found["Secret"].evidence)
    assert "is locked by another Helm operation" in found["HelmRelease"].message


def test_silent_on_deployed_and_freshly_pending_releases() -> None:
    objs = [
        helm_release("immich", "media"),
        helm_secret("immich", "media", 5, "deployed"),
        helm_secret("old", "media", 1, "pending-upgrade"),
        helm_secret("old", "media", 2, "deployed"),
        helm_secret("fresh", "media", 1, "pending-install", age=timedelta(minutes=3)),
    ]
    assert findings("helm-release-pending", objs) == []


def test_not_evaluated_without_helmreleases_or_secrets() -> None:
    assert run_one("helm-release-pending", []).status == "not_evaluated"
