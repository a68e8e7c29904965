"""deploy/ and the Dockerfile: rendered by the real `kubectl kustomize`, validated against the Kubernetes 1.32
schemas (kubernetes-validate, schemas bundled: offline), read-only RBAC generated from the registry."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from homelabctl.engine import required_kinds, select_checks
from homelabctl.watch import rbac

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
KUBECTL = os.environ.get("HOMELABCTL_TEST_KUBECTL", "/usr/bin/kubectl")
K8S_VERSION = "1.32.0"
OPERATOR_KINDS = {"ServiceMonitor", "PrometheusRule"}


def render(directory: Path) -> list[dict[str, Any]]:
    if not shutil.which(KUBECTL):
        pytest.skip("kubectl not installed")
    done = subprocess.run(
        [KUBECTL, "kustomize", str(directory)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind]
    assert len(found) == 1, [d["kind"] for d in docs]
    return found[0]


def test_clusterrole_grants_only_reads_on_exactly_the_kinds_the_checks_read() -> None:
    role = by_kind(render(DEPLOY), "ClusterRole")
    granted = {
        (group, resource)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }
    assert granted == {rbac.resource_of(gk) for gk in required_kinds(select_checks())}
    for rule in role["rules"]:
        assert rule["verbs"] == ["get", "list", "watch"]
        assert "*" not in rule["resources"] and "*" not in rule["apiGroups"]
        assert not rule.get("nonResourceURLs") and not rule.get("resourceNames")
    binding = by_kind(render(DEPLOY), "ClusterRoleBinding")
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "homelabctl", "namespace": "homelabctl"}
    ]


def test_a_generated_role_tracks_new_kinds() -> None:
    role = rbac.cluster_role(["Pod", "HelmRelease.helm.toolkit.fluxcd.io", "Widget.example.com"])
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]},
        {"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get", "list", "watch"]},
        {
            "apiGroups": ["helm.toolkit.fluxcd.io"],
            "resources": ["helmreleases"],
            "verbs": ["get", "list", "watch"],
        },
    ]


@pytest.mark.parametrize("variant", [".", "cronjob", "monitoring"])
def test_rendered_manifests_validate_against_kubernetes_1_32(variant: str) -> None:
    import kubernetes_validate

    docs = render(DEPLOY / variant)
    assert docs
    for doc in docs:
        if doc["kind"] in OPERATOR_KINDS:
            # CRDs of the Prometheus Operator: not in the Kubernetes schemas; checked structurally below
            assert doc["apiVersion"] == "monitoring.coreos.com/v1"
            continue
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        assert doc["metadata"].get("namespace", "homelabctl") == "homelabctl"


def test_operator_examples_point_at_what_watch_serves() -> None:
    docs = render(DEPLOY / "monitoring")
    monitor = by_kind(docs, "ServiceMonitor")
    service = by_kind(render(DEPLOY), "Service")
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert monitor["spec"]["endpoints"][0]["port"] == service["spec"]["ports"][0]["name"]
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    rules = by_kind(docs, "PrometheusRule")["spec"]["groups"][0]["rules"]
    from homelabctl.watch.metrics import WatchMetrics

    exposed = WatchMetrics().render().decode()
    exposed += "homelabctl_root_cause_active_seconds homelabctl_check_not_evaluated"  # per-report series
    for rule in rules:
        for name in (
            "homelabctl_root_cause_active_seconds",
            "homelabctl_last_successful_evaluation_timestamp_seconds",
            "homelabctl_watch_errors_total",
            "homelabctl_kinds_unreadable",
        ):
            if name in rule["expr"]:
                assert name.removesuffix("_total") in exposed, name


def _containers(pod_spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(pod_spec["containers"])


def test_the_watch_pod_is_non_root_read_only_probed_and_bounded() -> None:
    docs = render(DEPLOY)
    deployment = by_kind(docs, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "homelabctl"
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    (container,) = _containers(pod)
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False and security["capabilities"]["drop"] == ["ALL"]
    assert container["args"][0] == "watch" and "--listen=0.0.0.0:8080" in container["args"]
    db_arg = next(a for a in container["args"] if a.startswith("--db="))
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert str(Path(db_arg.removeprefix("--db=")).parent) in mounts  # the history is on a writable volume
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
    assert container["image"] == "homelabctl:0.1.0"
    assert (
        by_kind(docs, "Namespace")["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    )


def test_the_cronjob_variant_writes_the_textfile_report() -> None:
    docs = render(DEPLOY / "cronjob")
    cronjob = by_kind(docs, "CronJob")
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = _containers(pod)
    args = container["args"]
    assert args[:3] == ["check", "-o", "prometheus"] and "--output-file" in args
    target = Path(args[args.index("--output-file") + 1])
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == str(target.parent))
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    assert volume["hostPath"]["path"] == "/var/lib/node_exporter/textfile_collector"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert {d["kind"] for d in docs} >= {"ClusterRole", "ClusterRoleBinding", "ServiceAccount", "Namespace"}


def test_dockerfile_is_slim_non_root_and_installs_this_repository() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines[0] == "FROM python:3.11-slim"
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert any(line.startswith("COPY src") for line in lines) and any(
        "pip install ." in line for line in lines
    )
    assert lines[-1].startswith("CMD") and "watch" in lines[-1]


def test_the_validator_rejects_what_kubernetes_would() -> None:
    import kubernetes_validate

    deployment = by_kind(render(DEPLOY), "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFileSystem"] = (
        True
    )
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)
