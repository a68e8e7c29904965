"""The real kubectl against `snapshot serve`: what a person sees when they explore a snapshot."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Served, ServeFn

Kubectl = Callable[..., subprocess.CompletedProcess[str]]

pytestmark = pytest.mark.kubectl


def rows(output: str) -> dict[str, list[str]]:
    """kubectl's table output by the first cell (the second with --all-namespaces)."""
    lines = output.strip().splitlines()
    header = lines[0].split()
    key = 1 if header[0] == "NAMESPACE" else 0
    return {line.split()[key]: line.split() for line in lines[1:]}


def test_get_nodes_shows_the_dead_node_notready(served: Served, kubectl: Kubectl) -> None:
    out = kubectl(served.kubeconfig, "get", "nodes").stdout
    assert out.splitlines()[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    nodes = rows(out)
    assert nodes["k3s1"] == ["k3s1", "NotReady", "<none>", "30d", "v1.32.5+k3s1"]
    assert nodes["k3s-master1"][1:3] == ["Ready", "control-plane,master"]
    wide = rows(kubectl(served.kubeconfig, "get", "nodes", "-o", "wide").stdout)
    assert wide["k3s3"][5] == "192.168.10.13"


def test_get_pods_all_namespaces(served: Served, kubectl: Kubectl) -> None:
    out = kubectl(served.kubeconfig, "get", "pods", "-A").stdout
    assert out.splitlines()[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    pods = rows(out)
    assert len(pods) == 17
    assert pods["sonarr-84c5d7f9b-tq2wd"][:4] == ["media", "sonarr-84c5d7f9b-tq2wd", "0/1", "Terminating"]
    assert pods["project-bootstrapper-5c6d8b9f7-mv5xk"][3:7] == ["CrashLoopBackOff", "1195", "(5m", "ago)"]
    assert pods["comfyui-55f7b9c4d-p7fq2"][3] == "Pending"
    assert pods["pg-dump-29160960-8kq4z"][3] == "Completed"


def test_get_pods_by_label(served: Served, kubectl: Kubectl) -> None:
    out = kubectl(
        served.kubeconfig, "get", "pods", "-n", "media", "-l", "app.kubernetes.io/name=sonarr"
    ).stdout
    assert set(rows(out)) == {"sonarr-84c5d7f9b-hz8mk", "sonarr-84c5d7f9b-tq2wd"}
    none = kubectl(served.kubeconfig, "get", "pods", "-A", "-l", "app=nothing-has-this")
    assert none.stdout == "" and "No resources found" in none.stderr


def test_describe_node_lists_its_pods_and_events(served: Served, kubectl: Kubectl) -> None:
    out = kubectl(served.kubeconfig, "describe", "node", "k3s1").stdout
    assert "Name:               k3s1" in out
    assert "node.kubernetes.io/unreachable:NoExecute" in out
    assert "Ready            Unknown" in out
    assert "Kubelet stopped posting node status." in out
    assert "Non-terminated Pods:          (3 in total)" in out
    for pod in ("cilium-m4xw2", "radarr-6b8f4c7d9-tq2wd", "sonarr-84c5d7f9b-tq2wd"):
        assert pod in out
    assert "NodeNotReady" in out and "Node k3s1 status is now: NodeNotReady" in out


def test_get_a_crd_kind_uses_its_printer_columns(served: Served, kubectl: Kubectl) -> None:
    out = kubectl(served.kubeconfig, "get", "helmreleases", "-A").stdout
    assert out.splitlines()[0].split() == ["NAMESPACE", "NAME", "AGE", "READY", "STATUS"]
    releases = rows(out)
    assert releases["velero"][3] == "False"
    assert "velero-b2-credentials" in out
    assert rows(kubectl(served.kubeconfig, "get", "hr", "-A").stdout).keys() == releases.keys()
    kustomizations = rows(kubectl(served.kubeconfig, "get", "ks", "-n", "flux-system").stdout)
    assert kustomizations["infrastructure"][2] == "False"


def test_get_yaml_and_describe_pod(served: Served, kubectl: Kubectl) -> None:
    out = kubectl(served.kubeconfig, "get", "secret", "-n", "auth", "oauth2-proxy", "-o", "yaml").stdout
    assert (
        "cookie-secret: aG9tZWxhYmN0bC1yZWRhY3RlZDpsZW49MjA7bzJwPTIw" in out
    )  # valid base64, as on a cluster
    decoded = kubectl(
        served.kubeconfig,
        "get",
        "secret",
        "-n",
        "auth",
        "oauth2-proxy",
        "-o",
        'go-template={{index .data "cookie-secret" | base64decode}}',
    ).stdout
    assert decoded == "homelabctl-redacted:len=20;o2p=20"
    described = kubectl(served.kubeconfig, "describe", "secret", "-n", "auth", "oauth2-proxy").stdout
    assert "cookie-secret:" in described and "bytes" in described
    out = kubectl(
        served.kubeconfig, "describe", "pod", "-n", "infrastructure", "project-bootstrapper-5c6d8b9f7-mv5xk"
    ).stdout
    assert "CrashLoopBackOff" in out and "network is unreachable" in out
    assert "Back-off restarting failed container bootstrapper" in out


def test_logs_are_answered_with_a_clear_status(served: Served, kubectl: Kubectl) -> None:
    logs = kubectl(served.kubeconfig, "logs", "-n", "media", "jellyfin-7f9d6c8b5-9wq4n", check=False)
    assert logs.returncode == 1
    assert "not part of a snapshot" in logs.stderr and "NotFound" in logs.stderr


def test_errors_kubectl_prints(served: Served, kubectl: Kubectl, tmp_path: Path) -> None:
    missing = kubectl(served.kubeconfig, "get", "pod", "-n", "media", "nope", check=False)
    assert missing.returncode == 1
    assert 'Error from server (NotFound): pods "nope" not found' in missing.stderr
    delete = kubectl(
        served.kubeconfig, "delete", "pod", "-n", "media", "jellyfin-7f9d6c8b5-9wq4n", check=False
    )
    assert delete.returncode == 1
    assert "MethodNotAllowed" in delete.stderr or "does not allow this method" in delete.stderr
    unknown = kubectl(served.kubeconfig, "get", "backups.velero.io", "-A", check=False)
    assert unknown.returncode == 1
    assert "the server doesn't have a resource type" in unknown.stderr


def test_forbidden_kind_through_kubectl(serve: ServeFn, data_state: object, kubectl: Kubectl) -> None:
    with serve(data_state, forbid=["pods"]) as served:
        result = kubectl(served.kubeconfig, "get", "pods", "-A", check=False)
    assert result.returncode == 1
    assert (
        'Error from server (Forbidden): pods is forbidden: User "snapshot-viewer" cannot list resource "pods" '
        'in API group "" at the cluster scope'
    ) in result.stderr


def test_kubectl_uses_aggregated_discovery(served: Served, kubectl: Kubectl) -> None:
    kubectl(served.kubeconfig, "get", "deployments", "-A")
    assert any('"GET /apis?' in line for line in served.requests)
    # had kubectl not understood the aggregated document, it would have fetched every group-version
    assert not [line for line in served.requests if '"GET /apis/apps/v1?' in line or '"GET /api/v1?' in line]
    assert any('"GET /apis/apps/v1/deployments?limit=500' in line for line in served.requests)
