"""The Status column: which objects make up an app, and Running / Degraded / Down / Not deployed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from factories_paperwork import app_deployment, helmrelease, httproute, seed_cluster, service
from homelabctl.inventory.model import App
from homelabctl.paperwork.apps import AppResolver

from factories import meta, owner_ref, state, ts


def _status(objs: list[dict[str, Any]], **app: Any) -> tuple[str, str]:
    view = AppResolver(state(objs)).view(App(**{"stack": "media", **app}))
    return view.status.state, view.status.detail


def test_running_degraded_down_and_not_deployed() -> None:
    objs = [
        *app_deployment("sonarr", "media", ["k3s2"]),
        *app_deployment("radarr", "media", ["k3s1", "k3s2"], ready=1),
        *app_deployment("lidarr", "media", ["k3s1"], ready=0),
        *app_deployment("bazarr", "media", []),
    ]
    assert _status(objs, name="Sonarr", namespace="media") == ("Running", "Deployment sonarr 1/1 ready")
    assert _status(objs, name="Radarr", namespace="media") == ("Degraded", "Deployment radarr 1/2 ready")
    assert _status(objs, name="Lidarr", namespace="media") == ("Down", "Deployment lidarr 0/1 ready")
    assert _status(objs, name="Bazarr", namespace="media") == ("Down", "Deployment bazarr scaled to 0")
    assert _status(objs, name="Overseerr", namespace="media") == (
        "Not deployed",
        "nothing in the cluster matches this app",
    )
    # Same name in another namespace is not the app.
    assert _status(objs, name="Sonarr", namespace="media-test")[0] == "Not deployed"


def test_matched_through_the_route_when_names_differ() -> None:
    objs = [
        *app_deployment("open-webui-server", "ai", ["k3s3"]),
        service("openwebui", "ai", {"app.kubernetes.io/name": "open-webui-server"}),
        httproute("openwebui", "ai", "openwebui.fletcherlabs.net", "openwebui", section="http"),
    ]
    view = AppResolver(state(objs)).view(
        App(name="Open WebUI", namespace="ai", stack="ai", url="http://openwebui.fletcherlabs.net")
    )
    assert [w.name for w in view.objects.workloads] == ["open-webui-server"]
    assert [r.name for r in view.objects.routes] == ["openwebui"]
    assert view.status.state == "Running"


def test_explicit_workloads_and_cronjob() -> None:
    cron: dict[str, Any] = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": meta("recyclarr", "media", kind="CronJob"),
        "spec": {
            "schedule": "@daily",
            "suspend": False,
            "concurrencyPolicy": "Forbid",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [
                                {"name": "recyclarr", "image": "ghcr.io/recyclarr/recyclarr:7.1.1"}
                            ],
                            "restartPolicy": "Never",
                        }
                    }
                }
            },
        },
        "status": {"lastScheduleTime": ts(timedelta(hours=3))},
    }
    failed_job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {**meta("recyclarr-28641600", "media", kind="Job"), "ownerReferences": [owner_ref(cron)]},
        "spec": {"backoffLimit": 6, "template": {"spec": {"containers": []}}},
        "status": {
            "failed": 7,
            "conditions": [
                {
                    "type": "Failed",
                    "status": "True",
                    "reason": "BackoffLimitExceeded",
                    "message": "Job has reached the specified backoff limit",
                }
            ],
        },
    }
    assert _status([cron], name="Recyclarr", namespace="media") == (
        "Running",
        "CronJob recyclarr scheduled (@daily)",
    )
    assert _status([cron, failed_job], name="Recyclarr", namespace="media") == (
        "Degraded",
        "last run of CronJob recyclarr failed",
    )
    suspended = {**cron, "spec": {**cron["spec"], "suspend": True}}
    assert _status([suspended], name="Recyclarr", namespace="media")[0] == "Down"
    objs = app_deployment("ollama-gpu", "ai", ["k3s3"])
    assert _status(objs, name="Ollama", namespace="ai", workloads=["Deployment/ollama-gpu"])[0] == "Running"
    assert _status(objs, name="Ollama", namespace="ai")[0] == "Not deployed"


def test_failing_helmrelease_without_workloads_is_down_with_its_message() -> None:
    objs = [
        helmrelease("authentik", "authentik", ready=False, message='secrets "authentik-secret" not found')
    ]
    assert _status(objs, name="Authentik", namespace="authentik") == (
        "Down",
        'HelmRelease authentik: secrets "authentik-secret" not found',
    )


def test_findings_on_app_objects_are_attached() -> None:
    finding = {
        "id": "F5",
        "check": "admin-ui-exposed-without-auth",
        "severity": "critical",
        "object": {"kind": "HTTPRoute", "namespace": "monitoring", "name": "prometheus"},
        "message": "m",
    }
    other = {
        **finding,
        "id": "F6",
        "object": {"kind": "HTTPRoute", "namespace": "media", "name": "prometheus"},
    }
    view = AppResolver(state(seed_cluster())).view(
        App(
            name="Prometheus",
            namespace="monitoring",
            stack="infrastructure",
            url="https://prometheus.fletcherlabs.net",
        ),
        [finding, other],
    )
    assert [f["id"] for f in view.findings] == ["F5"]
    assert [c.name for c in view.objects.claims] == ["prometheus-db"]
