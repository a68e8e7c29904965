"""pod-security-refused: a Namespace's Pod Security level refuses a controller's pods.

Message as the replicaset-controller writes it (https://github.com/kubernetes/kubernetes/issues/109096).
"""

from __future__ import annotations

from typing import Any

from checks.helpers import findings

from factories import deployment, event
from factories_apps import replicaset
from factories_diag import namespace

REFUSAL = (
    'pods "home-assistant-7d9f8b6c5d-2mhd7" is forbidden: violates PodSecurity "baseline:latest": host '
    'namespaces (hostNetwork=true), hostPort (container "home-assistant" uses hostPort 8123)'
)
ENFORCE = {
    "pod-security.kubernetes.io/enforce": "baseline",
    "pod-security.kubernetes.io/enforce-version": "latest",
}


def _refused(*, created: bool = False, condition: bool = True) -> list[dict[str, Any]]:
    deploy = deployment("home-assistant", "home", ready=1 if created else 0)
    rs = replicaset(deploy)
    if not created:
        rs["status"]["replicas"] = 0
        if condition:
            rs["status"]["conditions"] = [
                {
                    "type": "ReplicaFailure",
                    "status": "True",
                    "reason": "FailedCreate",
                    "message": REFUSAL,
                    "lastTransitionTime": "2025-06-16T00:47:00Z",
                }
            ]
    return [
        namespace("home", ENFORCE),
        deploy,
        rs,
        event(rs, "FailedCreate", f"Error creating: {REFUSAL}", count=31, component="replicaset-controller"),
    ]


def test_fires_on_the_namespace_with_label_level_and_fields() -> None:
    [finding] = findings("pod-security-refused", _refused())
    assert finding.object.kind == "Namespace" and finding.object.name == "home"
    assert finding.severity.value == "critical"
    text = " ".join(finding.evidence)
    assert "pod-security.kubernetes.io/enforce=baseline" in text
    assert "Deployment home-assistant" in text and "hostNetwork=true" in text
    assert "kubectl label namespace home pod-security.kubernetes.io/enforce=privileged" in finding.hint
    assert "hostNetwork=true" in finding.hint


def test_event_alone_is_enough() -> None:
    [finding] = findings("pod-security-refused", _refused(condition=False))
    assert finding.object.name == "home"


def test_silent_once_the_pods_exist() -> None:
    """The event outlives the refusal: a ReplicaSet that has its pods is not refused any more."""
    assert findings("pod-security-refused", _refused(created=True)) == []


def test_silent_on_other_create_failures() -> None:
    objs = _refused(condition=False)
    objs[-1]["message"] = 'Error creating: pods "x" is forbidden: exceeded quota: compute, requested: cpu=2'
    assert findings("pod-security-refused", objs) == []
