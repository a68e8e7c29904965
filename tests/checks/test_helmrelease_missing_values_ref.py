from __future__ import annotations

from homelabctl import kinds

from factories_platform import condition, configmap, helm_release, secret
from helpers import findings, run_one

AUTHENTIK_MESSAGE = (
    "could not resolve Secret chart values reference 'authentik/authentik-secret' with key "
    "'values.yaml': secrets \"authentik-secret\" not found"
)


def _authentik(**overrides: object) -> dict[str, object]:
    return helm_release(
        "authentik",
        "authentik",
        version="2024.4.2",
        values_from=[
            {"kind": "Secret", "name": "authentik-secret", "valuesKey": "values.yaml"},
            {"kind": "ConfigMap", "name": "authentik-values"},
        ],
        ready=condition("Ready", "False", "InitFailed", AUTHENTIK_MESSAGE),
        **overrides,  # type: ignore[arg-type]
    )


def test_fires_on_missing_secret_seed_authentik() -> None:
    objs = [
        _authentik(),
        configmap("authentik-values", "authentik", {"values.yaml": "replicas: 1\n"}),
        secret("authentik-secret", "monitoring", {"values.yaml": "x"}),
    ]  # same name, wrong namespace
    found = findings("helmrelease-missing-values-ref", objs)
    assert len(found) == 1
    f = found[0]
    assert f.object.kind == "HelmRelease" and f.object.name == "authentik"
    assert "Secret authentik/authentik-secret does not exist" in f.message
    assert "spec.valuesFrom: Secret authentik/authentik-secret does not exist" in f.evidence
    assert any("InitFailed" in e for e in f.evidence)
    assert "flux reconcile helmrelease authentik -n authentik" in f.hint
    assert f.severity.value == "critical"


def test_fires_on_missing_key() -> None:
    objs = [
        _authentik(),
        configmap("authentik-values", "authentik", {"values.yaml": "replicas: 1\n"}),
        secret("authentik-secret", "authentik", {"secret_key": "s3cr3t-value-never-shown"}),
    ]
    found = findings("helmrelease-missing-values-ref", objs)
    assert "has no key 'values.yaml' (keys: secret_key)" in found[0].message
    assert not any("s3cr3t" in e for e in found[0].evidence)


def test_optional_and_present_refs_are_silent() -> None:
    hr = helm_release(
        "grafana",
        "monitoring",
        values_from=[
            {"kind": "Secret", "name": "grafana-admin", "valuesKey": "values.yaml"},
            {"kind": "ConfigMap", "name": "grafana-extra", "optional": True},
        ],
    )
    objs = [hr, secret("grafana-admin", "monitoring", {"values.yaml": "adminPassword: x\n"})]
    assert findings("helmrelease-missing-values-ref", objs, captured=[kinds.CONFIGMAP]) == []


def test_unreadable_kind_is_not_judged() -> None:
    # Only ConfigMaps were captured: the Secret ref cannot be judged either way.
    objs = [_authentik(), configmap("authentik-values", "authentik", {"values.yaml": "replicas: 1\n"})]
    assert findings("helmrelease-missing-values-ref", objs) == []


def test_not_evaluated_without_secrets_or_configmaps() -> None:
    result = run_one("helmrelease-missing-values-ref", [_authentik()])
    assert result.status == "not_evaluated"
