"""flux-dependency-missing: a Kustomization or HelmRelease whose dependsOn names an object that does not exist.

kustomize-controller's checkDependencies (v1.3 to v1.9) marks the object ``Ready=False DependencyNotReady`` with
``dependency '<ns>/<name>' not found: <the API server's NotFound>`` and retries every 30 s; see
https://github.com/fluxcd/flux2/issues/1193 for a dependency renamed away.
"""

from __future__ import annotations

from homelabctl import kinds
from homelabctl.checks.registry import REGISTRY
from homelabctl.engine import run_checks
from homelabctl.sources.base import KindStatus

from factories import state
from factories_platform import flux_ready, helm_release, kustomization
from helpers import findings, run_one

NOT_FOUND = (
    "dependency 'flux-system/infra-configs' not found: kustomizations.kustomize.toolkit.fluxcd.io "
    '"infra-configs" not found'
)


def _waiting(depends: list[str], message: str = NOT_FOUND) -> dict[str, object]:
    return kustomization(
        "apps-home", depends_on=depends, ready=flux_ready("False", "DependencyNotReady", message)
    )


def test_fires_on_a_dependency_that_does_not_exist_and_names_close_names() -> None:
    objs = [
        kustomization("infrastructure"),
        kustomization("infrastructure-configs"),
        _waiting(["infra-configs"]),
    ]
    [finding] = findings("flux-dependency-missing", objs)
    assert (finding.object.kind, finding.object.name) == ("Kustomization", "apps-home")
    assert finding.severity.value == "critical" and finding.layer.value == "platform"
    assert "Kustomization flux-system/infra-configs, which does not exist" in finding.message
    assert any("infrastructure-configs" in e and "close name" in e for e in finding.evidence)
    assert any("not found" in e and e.startswith("Ready=False DependencyNotReady") for e in finding.evidence)
    assert "flux reconcile kustomization apps-home -n flux-system --with-source" in finding.hint


def test_fires_on_a_helmrelease_dependency_in_its_own_namespace() -> None:
    objs = [helm_release("mosquitto", "home"), helm_release("zigbee2mqtt", "home", depends_on=["emqx"])]
    [finding] = findings("flux-dependency-missing", objs)
    assert finding.object.name == "zigbee2mqtt" and "HelmRelease home/emqx" in finding.message


def test_silent_when_every_dependency_exists() -> None:
    waiting = _waiting(["infra-configs"], "dependency 'flux-system/infra-configs' is not ready")
    objs = [
        kustomization("infra-configs", ready=flux_ready("False", "HealthCheckFailed", "timeout")),
        waiting,
    ]
    assert findings("flux-dependency-missing", objs) == []


def test_silent_when_the_controller_found_the_dependency_the_snapshot_lacks() -> None:
    # a snapshot of part of the cluster: the controller says the dependency exists (it is only not ready)
    objs = [_waiting(["infra-configs"], "dependency 'flux-system/infra-configs' is not ready")]
    assert findings("flux-dependency-missing", objs) == []


def test_not_evaluated_when_the_kinds_were_not_read() -> None:
    assert run_one("flux-dependency-missing", []).status == "not_evaluated"
    forbidden = KindStatus("forbidden", "kustomizations is forbidden")
    status = {kinds.FLUX_KUSTOMIZATION: forbidden, kinds.HELM_RELEASE: forbidden}
    [result] = run_checks(state([], kind_status=status), [REGISTRY["flux-dependency-missing"]]).results
    assert result.status == "not_evaluated" and "forbidden" in (result.reason or "")


def test_flux_not_ready_says_the_dependency_does_not_exist() -> None:
    objs = [kustomization("infrastructure-configs"), _waiting(["infra-configs"])]
    [waiting] = findings("flux-not-ready", objs)
    assert waiting.message.endswith("for dependency flux-system/infra-configs, which does not exist")
    assert "flux-dependency-missing" in waiting.hint
