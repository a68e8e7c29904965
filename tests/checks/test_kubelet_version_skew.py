from __future__ import annotations

from homelabctl.checks.registry import REGISTRY, all_checks
from homelabctl.engine import run_checks

from factories import node, state
from helpers import findings


def _cluster(k3s1: str = "v1.32.5+k3s1", k3s3: str = "v1.32.5+k3s1") -> list[dict[str, object]]:
    return [
        node("k3s-master1", control_plane=True),
        node("k3s1", version=k3s1),
        node("k3s2"),
        node("k3s3", version=k3s3),
    ]


def test_fires_on_agent_behind_the_control_plane_with_versions_per_node() -> None:
    found = findings("kubelet-version-skew", _cluster(k3s1="v1.31.9+k3s1"))
    assert [f.object.name for f in found] == ["k3s1"]
    f = found[0]
    assert f.message == (
        "Node k3s1 runs kubelet v1.31.9+k3s1 while the control-plane node k3s-master1 runs "
        "v1.32.5+k3s1: older than the control plane (a half-finished upgrade)"
    )
    assert "k3s1: kubelet v1.31.9+k3s1" in f.evidence and "k3s2: kubelet v1.32.5+k3s1" in f.evidence
    assert "INSTALL_K3S_VERSION=v1.32.5+k3s1" in f.hint


def test_kubelet_newer_than_control_plane_is_called_unsupported() -> None:
    found = findings("kubelet-version-skew", _cluster(k3s3="v1.33.1+k3s1"))
    assert [f.object.name for f in found] == ["k3s3"]
    assert "newer than the control plane" in found[0].message


def test_uses_the_api_server_version_when_known() -> None:
    all_checks()
    st = state(_cluster())
    st.server_version = "v1.33.1+k3s1"
    result = run_checks(st, [REGISTRY["kubelet-version-skew"]]).results[0]
    assert {f.object.name for f in result.findings} == {"k3s-master1", "k3s1", "k3s2", "k3s3"}
    assert "API server runs v1.33.1+k3s1" in result.findings[0].message


def test_build_only_difference_and_policy_lag() -> None:
    found = findings("kubelet-version-skew", _cluster(k3s1="v1.32.5+k3s2", k3s3="v1.28.3+k3s1"))
    by_node = {f.object.name: f.message for f in found}
    assert "different distribution build" in by_node["k3s1"]
    assert "more than 3 minor versions behind" in by_node["k3s3"]


def test_silent_when_every_kubelet_matches() -> None:
    assert findings("kubelet-version-skew", _cluster()) == []
