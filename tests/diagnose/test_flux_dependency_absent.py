"""flux-dependency-absent: a Kustomization whose dependsOn names a Kustomization that does not exist is the cause
of its own wait and of the wait of what depends on it; a dependency that exists and fails stays the cause."""

from __future__ import annotations

from homelabctl.analysis import analyze

from factories import state
from factories_platform import flux_ready, kustomization

GONE = (
    "dependency 'flux-system/infra-configs' not found: kustomizations.kustomize.toolkit.fluxcd.io "
    '"infra-configs" not found'
)


def _names(report: dict[str, object], ids: object) -> set[tuple[str, str]]:
    findings = report["findings"]
    assert isinstance(findings, list) and isinstance(ids, list)
    return {(f["check"], f["object"]["name"]) for f in findings if f["id"] in ids}


def test_the_kustomization_naming_a_missing_dependency_is_the_cause() -> None:
    objs = [
        kustomization("infrastructure-configs"),
        kustomization(
            "apps-home", depends_on=["infra-configs"], ready=flux_ready("False", "DependencyNotReady", GONE)
        ),
        kustomization(
            "apps-media",
            depends_on=["apps-home"],
            ready=flux_ready(
                "False", "DependencyNotReady", "dependency 'flux-system/apps-home' is not ready"
            ),
        ),
    ]
    report = analyze(state(objs)).report
    [top] = report["root_causes"]
    assert top["object"] == {"kind": "Kustomization", "namespace": "flux-system", "name": "apps-home"}
    assert top["rule"] == "flux-dependency-absent"
    assert {("flux-not-ready", "apps-home"), ("flux-not-ready", "apps-media")} <= _names(
        report, top["symptoms"]
    )
    assert any("flux get kustomizations -A" in (s.get("command") or "") for s in top["next_steps"])


def test_a_dependency_that_exists_and_fails_stays_the_cause() -> None:
    objs = [
        kustomization(
            "infra-configs", ready=flux_ready("False", "BuildFailed", "kustomize build failed: bad path")
        ),
        kustomization(
            "apps-home",
            depends_on=["infra-configs"],
            ready=flux_ready(
                "False", "DependencyNotReady", "dependency 'flux-system/infra-configs' is not ready"
            ),
        ),
    ]
    report = analyze(state(objs)).report
    assert [rc["object"]["name"] for rc in report["root_causes"]] == ["infra-configs"]
    assert all(f["check"] != "flux-dependency-missing" for f in report["findings"])
