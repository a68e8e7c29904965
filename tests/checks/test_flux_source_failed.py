from __future__ import annotations

from datetime import timedelta

from factories_platform import condition, git_repository, helm_repository
from helpers import findings, run_one

# https://github.com/fluxcd/flux2/issues/2847 (deploy key no longer accepted)
AUTH = (
    "failed to checkout and determine revision: unable to clone 'ssh://git@github.com/sudoflux/flux-k3s': ssh: "
    "handshake failed: ssh: unable to authenticate, attempted methods [none publickey], no supported methods remain"
)
# https://github.com/fluxcd/source-controller/issues/490 (GitHub rotated its host key)
HOST_KEY = "unable to clone 'ssh://git@github.com/user/repository', error: ssh: handshake failed: knownhosts: key mismatch"


def test_fires_on_a_removed_deploy_key_with_the_secret_to_renew() -> None:
    repo = git_repository(
        url="ssh://git@github.com/sudoflux/flux-k3s",
        ready=condition("Ready", "False", "GitOperationFailed", AUTH, age=timedelta(hours=3)),
    )
    found = findings("flux-source-failed", [repo])
    assert [(f.object.kind, f.object.name) for f in found] == [("GitRepository", "flux-system")]
    f = found[0]
    assert f.severity.value == "critical"
    assert f.message.startswith(
        "GitRepository flux-system/flux-system cannot fetch (authentication failed for 3h)"
    )
    assert "spec.secretRef=flux-system" in f.evidence
    assert any(e.startswith("Ready=False reason=GitOperationFailed: failed to checkout") for e in f.evidence)
    assert "Secret flux-system/flux-system" in f.hint and "github.com" in f.hint


def test_host_key_mismatch_and_dns_failures_are_named() -> None:
    key = git_repository(
        "apps",
        url="ssh://git@github.com/user/repository",
        ready=condition("Ready", "False", "GitOperationFailed", HOST_KEY),
    )
    dns = helm_repository(
        "bitnami",
        "https://charts.bitnami.com/bitnami",
        ready=condition(
            "Ready",
            "False",
            "Failed",
            'failed to fetch Helm repository index: Get "https://charts.bitnami.com/bitnami/'
            'index.yaml": dial tcp: lookup charts.bitnami.com on 10.43.0.10:53: no such host',
        ),
    )
    found = {f.object.name: f for f in findings("flux-source-failed", [key, dns])}
    assert "SSH host key mismatch" in found["apps"].message and "ssh-keyscan github.com" in found["apps"].hint
    assert "host name does not resolve" in found["bitnami"].message and "cluster DNS" in found["bitnami"].hint


def test_silent_on_ready_sources_and_other_failures() -> None:
    storage = git_repository(
        "infra",
        ready=condition(
            "Ready", "False", "StorageOperationFailed", "failed to archive artifact: no space left on device"
        ),
    )
    assert findings("flux-source-failed", [git_repository(), storage]) == []


def test_not_evaluated_without_sources() -> None:
    assert run_one("flux-source-failed", []).status == "not_evaluated"
