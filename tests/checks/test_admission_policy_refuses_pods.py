"""admission-policy-refuses-pods: an admission webhook answers and denies a controller's pods.

Refusals as the ReplicaSet controller records them: Kyverno's "blocked due to the following policies"
(https://github.com/kyverno/kyverno/pull/1862, https://github.com/kyverno/policies/issues/795) and
Gatekeeper's "[constraint] message".
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from checks.helpers import findings
from homelabctl.k8s.admission_denials import denial

from factories import meta
from factories_platform import KYVERNO_DENIED, kyverno_cluster_policy, refused_by_admission

GATEKEEPER = 'admission webhook "validation.gatekeeper.sh" denied the request: [must-have-owner] you must provide labels: {"owner"}'


def gatekeeper_webhook() -> dict[str, Any]:
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": meta(
            "gatekeeper-validating-webhook-configuration", kind="ValidatingWebhookConfiguration"
        ),
        "webhooks": [
            {
                "name": "validation.gatekeeper.sh",
                "admissionReviewVersions": ["v1"],
                "clientConfig": {
                    "service": {"name": "gatekeeper-webhook-service", "namespace": "gatekeeper-system"}
                },
                "failurePolicy": "Ignore",
                "sideEffects": "None",
                "rules": [
                    {"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["CREATE"], "resources": ["*"]}
                ],
            }
        ],
    }


def test_fires_on_the_kyverno_policy_that_refuses_the_pods() -> None:
    objs = [
        kyverno_cluster_policy("require-requests-limits"),
        *refused_by_admission("bazarr", "media", KYVERNO_DENIED.format(ns="media")),
        *refused_by_admission("mealie", "home", KYVERNO_DENIED.format(ns="home")),
    ]
    [finding] = findings("admission-policy-refuses-pods", objs)
    assert (finding.object.kind, finding.object.name) == ("ClusterPolicy", "require-requests-limits")
    assert finding.layer.value == "security" and finding.severity.value == "critical"
    assert "2 workload(s)" in finding.message and "Deployment media/bazarr" in finding.message
    assert any("rule validate-resources: validation error: CPU and memory" in e for e in finding.evidence)
    assert "spec.validationFailureAction: Enforce" in finding.evidence
    assert "kubectl get clusterpolicy require-requests-limits -o yaml" in finding.hint


def test_fires_on_the_webhook_configuration_of_another_engine() -> None:
    [finding] = findings(
        "admission-policy-refuses-pods",
        [gatekeeper_webhook(), *refused_by_admission("app", "team", GATEKEEPER)],
    )
    assert (finding.object.kind, finding.object.name) == (
        "ValidatingWebhookConfiguration",
        "gatekeeper-validating-webhook-configuration",
    )
    assert any("[must-have-owner] you must provide labels" in e for e in finding.evidence)


def test_silent_when_the_controller_has_its_pods_or_the_webhook_could_not_be_called() -> None:
    served = refused_by_admission("bazarr", "media", KYVERNO_DENIED.format(ns="media"))
    served[0]["status"]["readyReplicas"] = served[0]["status"]["availableReplicas"] = 1
    served[1]["status"]["replicas"] = served[1]["status"]["readyReplicas"] = 1
    unreachable = refused_by_admission(
        "mealie",
        "home",
        'Internal error occurred: failed calling webhook "validate.kyverno.svc-fail": failed to call webhook: '
        'Post "https://kyverno-svc.kyverno.svc:443/validate/fail?timeout=10s": no endpoints available for service "kyverno-svc"',
    )
    assert (
        findings(
            "admission-policy-refuses-pods",
            [kyverno_cluster_policy("require-requests-limits"), *served, *unreachable],
        )
        == []
    )


def test_denial_lists_every_kyverno_policy_and_rule() -> None:
    message = (
        'admission webhook "validate.kyverno.svc-fail" denied the request: \n\nresource Pod/media/ was blocked due to '
        "the following policies \n\ndisallow-latest-tag:\n  require-image-tag: 'validation error: An image tag is "
        "required.'\n  validate-image-tag: 'validation error: Using a mutable image tag e.g. latest is not allowed.'\n"
        "require-run-as-nonroot:\n  run-as-non-root: 'validation error: Running as root is not allowed.'\n"
    )
    parsed = denial(message)
    assert parsed is not None and parsed.webhook == "validate.kyverno.svc-fail"
    assert [v.policy for v in parsed.policies] == ["disallow-latest-tag", "require-run-as-nonroot"]
    assert [rule for rule, _ in parsed.policies[0].rules] == ["require-image-tag", "validate-image-tag"]
    assert denial("Error creating: pods is forbidden: exceeded quota") is None


@given(st.text(max_size=400))
def test_denial_never_fails_and_names_a_quoted_webhook(message: str) -> None:
    parsed = denial(message)
    assert parsed is None or f'"{parsed.webhook}"' in message
