from __future__ import annotations

from typing import Any

from factories import deployment, event
from factories_apps import crashloop_status, owned_pod, replicaset, service
from factories_diag import endpoint_slice, webhook_configuration
from helpers import findings, run_one

IMAGE = "ghcr.io/kyverno/kyverno:v1.13.4"
# https://github.com/elastic/cloud-on-k8s/issues/1114 (API server message when the webhook Service has no endpoints)
NO_ENDPOINTS = (
    'Internal error occurred: failed calling webhook "validate.kyverno.svc-fail": failed to call webhook: '
    'Post "https://kyverno-svc.kyverno.svc:443/validate/fail?timeout=10s": no endpoints available for '
    'service "kyverno-svc"'
)


def _kyverno(*, crashing: bool, policy: str = "Fail") -> list[dict[str, Any]]:
    dep = deployment(
        "kyverno-admission-controller",
        "kyverno",
        ready=0 if crashing else 1,
        labels={"app.kubernetes.io/component": "admission-controller"},
        pod_spec={"containers": [{"name": "kyverno", "image": IMAGE}]},
    )
    rs = replicaset(dep)
    status = (
        crashloop_status("kyverno", IMAGE, message="failed to create certificate: secrets is forbidden")
        if crashing
        else None
    )
    pod = owned_pod(rs, "m4n5b", statuses=[status] if status else None)
    svc = service(
        "kyverno-svc",
        "kyverno",
        {"app.kubernetes.io/component": "admission-controller"},
        [{"name": "https", "port": 443, "targetPort": 9443}],
    )
    config = webhook_configuration(
        "kyverno-resource-validating-webhook-cfg",
        [("validate.kyverno.svc-fail", "kyverno", "kyverno-svc")],
        failure_policy=policy,
    )
    return [
        dep,
        rs,
        pod,
        svc,
        config,
        endpoint_slice(svc, [("10.42.3.4", pod["metadata"]["name"], not crashing)]),
    ]


def test_fires_critical_with_the_backend_and_failed_creates() -> None:
    objs = _kyverno(crashing=True)
    app_rs = replicaset(deployment("immich-server", "media"))
    objs += [
        app_rs,
        event(
            app_rs,
            "FailedCreate",
            f"Error creating: {NO_ENDPOINTS}",
            count=17,
            component="replicaset-controller",
        ),
    ]
    found = findings("admission-webhook-unavailable", objs)
    assert [(f.object.kind, f.object.name) for f in found] == [
        ("ValidatingWebhookConfiguration", "kyverno-resource-validating-webhook-cfg")
    ]
    f = found[0]
    assert f.severity.value == "critical"
    assert (
        "Service kyverno/kyverno-svc has no ready endpoint" in f.message and "17 failed call(s)" in f.message
    )
    assert any(
        e.startswith(
            "webhook validate.kyverno.svc-fail (failurePolicy Fail) calls Service kyverno/kyverno-svc: "
            "EndpointSlice: 0 ready, 1 not ready"
        )
        for e in f.evidence
    )
    assert any("owned by Deployment kyverno/kyverno-admission-controller" in e for e in f.evidence)
    assert any(
        e.startswith("event FailedCreate on ReplicaSet media/immich-server-7d9f8b6c5d (x17)")
        for e in f.evidence
    )
    assert f.hint.startswith("Bring back Deployment kyverno/kyverno-admission-controller")


def test_ignore_policy_is_a_warning_and_a_missing_service_counts() -> None:
    objs = [o for o in _kyverno(crashing=False, policy="Ignore") if o["kind"] != "Service"]
    objs.append(service("other", "kyverno", {"a": "b"}, [{"name": "x", "port": 1}]))
    found = findings("admission-webhook-unavailable", objs)
    assert found[0].severity.value == "warning"
    assert "Service kyverno/kyverno-svc does not exist" in found[0].message


def test_silent_when_the_webhook_backend_is_ready() -> None:
    assert findings("admission-webhook-unavailable", _kyverno(crashing=False)) == []


def test_not_evaluated_without_webhook_configurations() -> None:
    objs = [o for o in _kyverno(crashing=True) if "Webhook" not in o["kind"]]
    assert run_one("admission-webhook-unavailable", objs).status == "not_evaluated"
