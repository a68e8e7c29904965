from __future__ import annotations

from factories import node, pod
from factories_infra import csi_plugin_pod, longhorn_csi_plugin, longhorn_manager
from helpers import findings, run_one

DEADLINE = (
    'time="2025-06-14T09:12:03Z" level=fatal msg="Error starting manager: failed to wait for longhorn-backend: '
    'Get \\"http://longhorn-backend:9500/v1\\": context deadline exceeded"'
)


def test_fires_on_crashlooping_longhorn_pod_with_network_hint() -> None:
    manager = longhorn_manager()
    bad = csi_plugin_pod(
        manager, "k3s1", "7xk2d", ready=False, failing="longhorn-manager", last_message=DEADLINE
    )
    objs = [node("k3s1", ready="False"), node("k3s2"), manager, bad, csi_plugin_pod(manager, "k3s2", "m4n5b")]
    found = findings("csi-driver-pods-failing", objs)
    assert [(f.object.kind, f.object.name) for f in found] == [("Pod", "longhorn-manager-7xk2d")]
    f = found[0]
    assert f.message == (
        "Storage driver pod longhorn-system/longhorn-manager-7xk2d on node k3s1 is not Ready "
        "(CrashLoopBackOff)"
    )
    assert (
        "pod longhorn-system/longhorn-manager-7xk2d: CrashLoopBackOff, 0/1 ready, 37 restarts" in f.evidence
    )
    assert any("context deadline exceeded" in e for e in f.evidence)
    assert "owned by DaemonSet longhorn-system/longhorn-manager" in f.evidence
    assert "node k3s1 is Ready=False" in f.evidence
    assert "logs longhorn-manager-7xk2d -c longhorn-manager --previous" in f.hint
    assert "network timeouts" in f.hint


def test_recognises_csi_plugin_pods_by_their_registrar_sidecar() -> None:
    plugin = longhorn_csi_plugin()
    bad = csi_plugin_pod(plugin, "k3s3", "9qz8w", ready=False, failing="node-driver-registrar")
    bad["metadata"]["labels"].pop("app")
    found = findings("csi-driver-pods-failing", [node("k3s3"), plugin, bad])
    assert [f.object.name for f in found] == ["longhorn-csi-plugin-9qz8w"]
    assert "logs longhorn-csi-plugin-9qz8w -c node-driver-registrar --previous" in found[0].hint


def test_silent_on_ready_storage_pods_and_unrelated_failures() -> None:
    plugin = longhorn_csi_plugin()
    objs = [
        node("k3s1"),
        plugin,
        csi_plugin_pod(plugin, "k3s1", "a1b2c"),
        pod("sonarr-0", "media", node_name="k3s1", ready=False),
    ]
    assert findings("csi-driver-pods-failing", objs) == []


def test_not_evaluated_without_pods() -> None:
    assert run_one("csi-driver-pods-failing", [node("k3s1")]).status == "not_evaluated"
