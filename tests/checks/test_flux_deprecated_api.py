from __future__ import annotations

from factories_platform import git_repository, helm_release, helm_repository, kustomization
from helpers import findings, run_one


def test_fires_on_each_deprecated_version() -> None:
    objs = [
        helm_release("authentik", "authentik", api_version="helm.toolkit.fluxcd.io/v2beta1"),
        helm_release("grafana", "monitoring", api_version="helm.toolkit.fluxcd.io/v2beta2"),
        kustomization("apps", api_version="kustomize.toolkit.fluxcd.io/v1beta2"),
        git_repository(api_version="source.toolkit.fluxcd.io/v1beta2"),
        helm_repository(
            "bitnami", "https://charts.bitnami.com/bitnami", api_version="source.toolkit.fluxcd.io/v1beta1"
        ),
    ]
    found = {f.object.name: f for f in findings("flux-deprecated-api", objs)}
    assert set(found) == {"authentik", "grafana", "apps", "flux-system", "bitnami"}
    hr = found["authentik"]
    assert hr.severity.value == "warning"
    assert "helm.toolkit.fluxcd.io/v2beta1" in hr.message and "helm.toolkit.fluxcd.io/v2" in hr.message
    assert "apiVersion=helm.toolkit.fluxcd.io/v2beta1" in hr.evidence
    assert "flux migrate" in hr.hint
    assert "kustomize.toolkit.fluxcd.io/v1" in found["apps"].message


def test_silent_on_current_versions() -> None:
    objs = [
        helm_release("grafana", "monitoring"),
        kustomization("apps"),
        git_repository(),
        helm_repository("bitnami", "https://charts.bitnami.com/bitnami"),
    ]
    assert findings("flux-deprecated-api", objs) == []


def test_not_evaluated_without_flux_objects() -> None:
    assert run_one("flux-deprecated-api", []).status == "not_evaluated"
