from __future__ import annotations

from datetime import timedelta

from factories_platform import condition, git_repository, helm_repository, oci_repository
from helpers import findings, run_one

AUTH_FAILED = (
    "failed to checkout and determine revision: unable to clone 'https://github.com/sudoflux/flux-k3s': "
    "authentication required"
)


def test_fires_when_fetching_failed_for_longer_than_three_intervals() -> None:
    repo = git_repository(
        interval="5m",
        artifact_age=timedelta(days=2),
        ready=condition("Ready", "False", "GitOperationFailed", AUTH_FAILED, age=timedelta(hours=6)),
        fetch_failed=condition(
            "FetchFailed", "True", "GitOperationFailed", AUTH_FAILED, age=timedelta(hours=6)
        ),
    )
    found = findings("flux-source-stale", [repo])
    assert len(found) == 1
    f = found[0]
    assert f.object.kind == "GitRepository" and f.object.name == "flux-system"
    assert "failed to fetch for 6h" in f.message and "main@sha1:3f6c0a1e" in f.message and "2d" in f.message
    assert any(e.startswith("FetchFailed=True reason=GitOperationFailed") for e in f.evidence)
    assert f.severity.value == "warning"


def test_fires_when_never_fetched() -> None:
    repo = helm_repository(
        "intel",
        "https://intel.github.io/helm-charts",
        artifact_age=None,
        ready=condition(
            "Ready",
            "False",
            "IndexationFailed",
            "failed to fetch Helm repository index: failed to cache index to temporary file: "
            'Get "https://intel.github.io/helm-charts/index.yaml": dial tcp: lookup intel.github.io: i/o timeout',
        ),
    )
    found = findings("flux-source-stale", [repo])
    assert "never produced an artifact" in found[0].message and "IndexationFailed" in found[0].message


def test_old_artifact_of_a_healthy_source_is_silent() -> None:
    # No new commit for a month is not staleness: the artifact is only rebuilt on a new revision.
    objs = [
        git_repository(artifact_age=timedelta(days=30)),
        helm_repository("authentik", "https://charts.goauthentik.io", artifact_age=timedelta(days=9)),
        helm_repository("oauth2-proxy", "oci://ghcr.io/oauth2-proxy/charts", oci=True),
        oci_repository("podinfo", "oci://ghcr.io/stefanprodan/manifests/podinfo"),
    ]
    assert findings("flux-source-stale", objs) == []


def test_short_failure_is_silent() -> None:
    repo = git_repository(
        ready=condition("Ready", "False", "GitOperationFailed", AUTH_FAILED, age=timedelta(minutes=5))
    )
    assert findings("flux-source-stale", [repo]) == []


def test_not_evaluated_without_sources() -> None:
    assert run_one("flux-source-stale", []).status == "not_evaluated"
