"""Next steps name the exact object of the cluster at hand: the pod, container, namespace, release and address
the snapshot knows, never a placeholder or a name from one particular homelab."""

from __future__ import annotations

import json
import re
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from holdout_pending import PENDING_FIRST_RUN
from homelabctl.analysis import analyze
from homelabctl.diagnose.context import RuleContext
from homelabctl.diagnose.graph import DependencyGraph
from homelabctl.diagnose.rules._common import (
    api_server_url,
    cni_agent,
    csi_plugin_daemonset,
    daemon_pod_on_node,
    failing_container,
    failing_pod,
    hint_steps,
    manager_of,
    node_service,
    pod_read_step,
)
from homelabctl.diagnose.rules.csi_unregistered_everywhere import csi_unregistered_everywhere
from homelabctl.diagnose.rules.node_network_failure import cni_steps, connectivity_step
from homelabctl.diagnose.rules.workload_down import doubled, workload_down
from homelabctl.model import Finding, Layer, ObjectRef, Resource, Severity
from homelabctl.sources.base import ClusterState
from homelabctl.sources.snapshot import SnapshotSource, demo_source

from factories import container_status, deployment, node, pod, state
from factories_apps import daemonset, replicaset

SCENARIOS = Path(__file__).parent.parent / "scenarios"


@cache
def _state(name: str) -> ClusterState:
    if name == "demo":
        return demo_source().load()
    folder = SCENARIOS / name
    files = [
        p for p in sorted(folder.iterdir()) if p.name != "expected.yaml" and p.suffix in (".yaml", ".json")
    ]
    return SnapshotSource(files).load()


@cache
def _report(name: str) -> dict[str, Any]:
    report: dict[str, Any] = analyze(_state(name)).report
    return report


def _steps(name: str, rule: str, obj: str | None = None) -> list[dict[str, Any]]:
    for rc in _report(name)["root_causes"]:
        if rc["rule"] == rule and (obj is None or rc["object"]["name"] == obj):
            return list(rc["next_steps"])
    raise AssertionError(f"no root cause by {rule} in {name}")


def _commands(name: str, rule: str, obj: str | None = None) -> list[str | None]:
    return [s["command"] for s in _steps(name, rule, obj)]


def _ctx(st: ClusterState, findings: list[Finding] | None = None) -> RuleContext:
    return RuleContext(st, DependencyGraph(st), findings or [])


# -- each rule on a real-shaped snapshot -----------------------------------------------------------------------
def test_node_network_failure_reads_the_cni_pod_on_that_node_and_pings_real_addresses() -> None:
    commands = _commands("k3s1-network-failure", "node-network-failure")
    # the crash-looping Cilium pod on k3s1, its container, its previous instance; no exec into a crash loop
    assert commands[0] == "kubectl -n kube-system logs cilium-wwjsc -c cilium-agent --previous --tail=50"
    # the node's InternalIP, the BGP peer that policy gives it, another node, and the API server as the
    # K3s agent itself reaches it (K3S_URL in the node's k3s.io/node-env annotation)
    assert commands[1] == (
        "ping -c3 192.168.10.31; ssh k3s1 'ping -c3 192.168.10.1; ping -c3 192.168.10.30; "
        "curl -sk https://192.168.10.30:6443/healthz'"
    )
    assert not any("exec" in (c or "") for c in commands)


def test_node_network_failure_first_command_in_the_demo_is_the_crashing_agent() -> None:
    assert (
        _commands("demo", "node-network-failure")[0]
        == "kubectl -n kube-system logs cilium-jc6b2 -c cilium-agent --previous --tail=50"
    )


def test_flux_missing_crd_names_the_group_from_the_failing_apiversion() -> None:
    assert _commands("demo", "flux-missing-crd")[0] == "kubectl get crds | grep -i deviceplugin.intel.com"


def test_workload_down_reads_the_crashing_pod_and_container() -> None:
    assert (
        _commands("velero-minio-crash", "workload-down")[0]
        == "kubectl -n velero logs minio-b969kvd72t-h87zw -c minio --previous --tail=50"
    )
    assert (
        _commands("init-waits-for-crashing-db", "workload-down")[0]
        == "kubectl -n flagsmith logs flagsmith-postgresql-0 -c postgresql --previous --tail=50"
    )


def test_workload_down_describes_a_pod_whose_container_never_started() -> None:
    # no logs exist for an image that cannot be pulled: the pod's events say why
    assert (
        _commands("image-tag-not-found", "workload-down")[0]
        == "kubectl -n authentik describe pod authentik-server-2mdjhd6wb-6tp8q"
    )


def test_cluster_dns_down_reads_the_crashing_dns_pod_and_its_corefile() -> None:
    commands = _commands("coredns-loop-crash", "cluster-dns-down")
    assert commands[:2] == [
        "kubectl -n kube-system get configmap coredns -o yaml",
        "kubectl -n kube-system logs coredns-6d4rqrnll-dz87c -c coredns --previous --tail=50",
    ]


def test_snapshot_location_conflict_names_the_locations_and_the_velero_release() -> None:
    steps = _steps("velero-vsl-conflict", "snapshot-location-conflict")
    assert [(s["command"], s["dangerous"]) for s in steps] == [
        (
            "kubectl -n velero get volumesnapshotlocations -o custom-columns=NAME:.metadata.name,"
            "PROVIDER:.spec.provider,PHASE:.status.phase",
            False,
        ),
        ("kubectl -n velero get helmrelease velero -o jsonpath='{.spec.values.configuration}'", False),
        ("flux reconcile helmrelease velero -n velero --with-source", False),
        ("kubectl -n velero delete volumesnapshotlocation b2-snapshots", True),
    ]
    assert "configuration.defaultVolumeSnapshotLocations: aws:default" in steps[1]["text"]
    assert "HelmRelease velero/velero" in steps[1]["text"]


def test_kubelet_path_breaks_csi_reconciles_the_release_that_renders_the_plugin() -> None:
    steps = _steps("kubelet-path-change", "kubelet-path-breaks-csi")
    assert (
        steps[0]["command"]
        == "kubectl -n longhorn-system get helmrelease longhorn -o jsonpath='{.spec.values.csi.kubeletRootDir}'"
    )
    assert steps[1]["command"] == "flux reconcile helmrelease longhorn -n longhorn-system --with-source"
    assert "csi.kubeletRootDir: /var/lib/rancher/k3s/agent/kubelet" in steps[1]["text"]


def test_auth_proxy_broken_watches_the_actual_deployment() -> None:
    assert (
        _commands("oauth2-proxy-cookie-secret", "auth-proxy-broken")[1]
        == "kubectl -n monitoring rollout status deployment/oauth2-proxy"
    )


def test_gpu_saturated_lists_the_pods_on_the_node_with_their_gpu_requests() -> None:
    assert _commands("gpu-insufficient", "gpu-saturated")[0] == (
        "kubectl get pods -A --field-selector spec.nodeName=k3s3 -o custom-columns='NAMESPACE:.metadata.namespace,"
        "NAME:.metadata.name,PHASE:.status.phase,GPU:.spec.containers[*].resources.requests.nvidia\\.com/gpu'"
    )


def test_gpu_device_plugin_down_reads_the_plugin_pod_and_the_driver_on_its_node() -> None:
    assert _commands("gpu-device-plugin-nvml", "gpu-device-plugin-down")[:2] == [
        "kubectl -n kube-system logs nvidia-device-plugin-wglhs -c nvidia-device-plugin-ctr --previous --tail=50",
        "ssh k3s3 nvidia-smi",
    ]


def test_helm_release_locked_deletes_the_exact_pending_secret_last() -> None:
    steps = _steps("helm-release-pending-upgrade", "helm-release-locked")
    assert steps[-1] == {
        "text": steps[-1]["text"],
        "command": "kubectl -n media delete secret sh.helm.release.v1.immich.v7",
        "dangerous": True,
    }
    assert "pending-upgrade" in steps[-1]["text"]


def test_node_down_reads_the_kubelet_unit_of_that_node() -> None:
    commands = _commands("kubelet-cert-expired", "node-down")
    assert commands[0] == (
        "ping -c3 192.168.10.33; ssh k3s3 'sudo systemctl status k3s-agent --no-pager; "
        "sudo journalctl -u k3s-agent -n 200 --no-pager'"
    )


def test_flux_source_broken_rotates_the_secret_the_source_names_for_its_url() -> None:
    assert (
        _commands("flux-deploy-key-removed", "flux-source-broken")[0]
        == "flux create secret git flux-system -n flux-system --url=ssh://git@github.com/sudoflux/flux-k3s"
    )


def test_wildcard_needs_dns01_opens_the_issuer_the_certificate_names() -> None:
    assert (
        _commands("wildcard-http01", "wildcard-needs-dns01")[0]
        == "kubectl get clusterissuer letsencrypt-prod -o yaml"
    )


def test_csi_unregistered_everywhere_reads_the_registrar_of_the_driver_that_is_missing() -> None:
    st = _state("kubelet-path-change")
    findings = [
        Finding(
            "csi-driver-not-registered",
            Layer.STORAGE,
            Severity.CRITICAL,
            ObjectRef("Node", None, n.name),
            f"CSI driver driver.longhorn.io is not registered on node {n.name}",
        )
        for n in st.index.all("Node")
    ]
    explanation = csi_unregistered_everywhere(_ctx(st, findings), findings[1])
    assert explanation is not None
    step = explanation.next_steps[0]
    plugin = st.index.get("DaemonSet.apps", "longhorn-system", "longhorn-csi-plugin")
    assert plugin is not None
    pod_there = daemon_pod_on_node(st.index, plugin, findings[1].object.name)
    assert pod_there is not None
    assert (
        step.command == f"kubectl -n longhorn-system logs {pod_there.name} -c node-driver-registrar --tail=50"
    )


# -- every root cause of every scenario and the demo -----------------------------------------------------------
_PLACEHOLDER = re.compile(r"<[A-Za-z][A-Za-z0-9 _-]*>")
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s'\",]+")
_FORBIDDEN = ("192.168.", "longhorn-system", "fletcherlabs")
# a holdout set waiting for its recorded first run is not diagnosed here either
_NAMES = [
    *sorted(
        p.name
        for p in SCENARIOS.iterdir()
        if (p / "expected.yaml").exists() and p.name not in PENDING_FIRST_RUN
    ),
    "demo",
]


def _known_names(st: ClusterState) -> list[str]:
    """Every name, namespace, address and URL the snapshot holds, longest first (what a command may quote)."""
    names: set[str] = set()
    for res in st.index:
        names.update(filter(None, (res.name, res.namespace)))
    text = " ".join(str(res.raw) for res in st.index)
    names.update(_IPV4.findall(text))
    names.update(_URL.findall(text))  # a Git source's URL, quoted by the command that recreates its secret
    return sorted(names, key=len, reverse=True)


@pytest.mark.parametrize("name", _NAMES)
def test_no_command_keeps_a_placeholder_or_a_name_the_snapshot_does_not_hold(name: str) -> None:
    st = _state(name)
    known = _known_names(st)
    for rc in _report(name)["root_causes"]:
        steps = rc["next_steps"]
        assert any(s["command"] for s in steps), f"{rc['rule']} on {rc['object']}: no command at all"
        dangerous = [s["dangerous"] for s in steps]
        assert dangerous == sorted(dangerous), f"{rc['rule']}: a safe step after a dangerous one"
        for step in steps:
            command = step["command"] or ""
            assert not _PLACEHOLDER.search(command), f"{rc['rule']}: placeholder in {command!r}"
            masked = command
            for word in known:
                masked = masked.replace(word, "")
            for literal in _FORBIDDEN:
                assert literal not in masked, (
                    f"{rc['rule']}: {literal!r} not from this snapshot in {command!r}"
                )
            for ip in _IPV4.findall(command):
                assert ip in known, f"{rc['rule']}: address {ip} is not in the snapshot: {command!r}"


def test_no_rule_source_hard_codes_an_address_or_a_domain() -> None:
    rules = Path(__file__).parents[2] / "src" / "homelabctl" / "diagnose" / "rules"
    for path in rules.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for literal in ("192.168.", "fletcherlabs", "ds/longhorn", "deploy/oauth2-proxy", "deploy/coredns"):
            assert literal not in text, f"{path.name} hard-codes {literal!r}"


# -- the shared lookups ------------------------------------------------------------------------------------------
def _res(raw: dict[str, Any]) -> Resource:
    return Resource.from_raw(raw)


def test_failing_container_prefers_the_crash_loop_and_knows_when_logs_exist() -> None:
    crashing = _res(
        pod(
            "web-1",
            "apps",
            statuses=[
                container_status("sidecar", "busybox:1", state="running"),
                container_status(
                    "web",
                    "nginx:1",
                    state="waiting",
                    reason="CrashLoopBackOff",
                    restarts=7,
                    last_terminated={"exitCode": 1},
                ),
            ],
        )
    )
    found = failing_container(crashing)
    assert found is not None and (found.name, found.restarted, found.started, found.crashlooping) == (
        "web",
        True,
        True,
        True,
    )
    assert pod_read_step(crashing).command == "kubectl -n apps logs web-1 -c web --previous --tail=50"
    pulling = _res(
        pod(
            "web-2",
            "apps",
            statuses=[container_status("web", "nginx:nope", state="waiting", reason="ImagePullBackOff")],
        )
    )
    assert pod_read_step(pulling).command == "kubectl -n apps describe pod web-2"
    healthy = _res(pod("web-3", "apps"))
    assert failing_container(healthy) is None


def test_failing_pod_of_a_controller_is_the_crash_looping_one() -> None:
    st = _state("velero-minio-crash")
    found = failing_pod(_ctx(st), ObjectRef("Deployment", "velero", "minio"))
    assert found is not None and found.name == "minio-b969kvd72t-h87zw"


def test_cni_agent_finds_the_daemonset_pod_on_the_node_whatever_the_cni() -> None:
    st = _state("demo")
    k3s1 = st.index.get("Node", None, "k3s1")
    assert k3s1 is not None
    agent = cni_agent(_ctx(st), k3s1)
    assert agent is not None and agent.pod is not None
    assert (agent.cni, agent.pod.name, agent.container) == ("cilium", "cilium-jc6b2", "cilium-agent")
    # a calico cluster: calico-node's pod on that node
    calico_ds = daemonset(
        "calico-node",
        "calico-system",
        labels={"k8s-app": "calico-node"},
        containers=[{"name": "calico-node", "image": "docker.io/calico/node:v3.28.0"}],
        desired=1,
    )
    calico_pod = pod(
        "calico-node-x2x9q",
        "calico-system",
        node_name="n1",
        owner=calico_ds,
        containers=[{"name": "calico-node", "image": "docker.io/calico/node:v3.28.0"}],
    )
    calico = state([node("n1"), calico_pod, calico_ds])
    n1 = calico.index.get("Node", None, "n1")
    assert n1 is not None
    agent = cni_agent(_ctx(calico), n1)
    assert (
        agent is not None
        and agent.pod is not None
        and (agent.cni, agent.pod.name) == ("calico", "calico-node-x2x9q")
    )
    # K3s's own flannel has no pod: the agent is the k3s service itself
    flannel_node = node("n2")
    flannel_node["metadata"]["annotations"]["flannel.alpha.coreos.com/backend-type"] = "vxlan"
    embedded = state([flannel_node])
    n2 = embedded.index.get("Node", None, "n2")
    assert n2 is not None
    agent = cni_agent(_ctx(embedded), n2)
    assert agent is not None and agent.pod is None and agent.cni.startswith("flannel")
    assert (
        cni_steps(_ctx(embedded), n2)[0].command
        == "ssh n2 'sudo journalctl -u k3s-agent -n 2000 --no-pager | grep -i flannel | tail -50'"
    )


def test_api_server_url_prefers_a_reachable_capture_address_then_the_node_view() -> None:
    st = _state("k3s1-network-failure")
    k3s1 = st.index.get("Node", None, "k3s1")
    assert api_server_url(st, k3s1) == "https://192.168.10.30:6443"
    loopback = state([node("cp", control_plane=True)])
    loopback.api_server = (
        "https://127.0.0.1:6443"  # the K3s server's own kubeconfig: useless from another node
    )
    assert api_server_url(loopback) == "https://192.168.10.11:6443"
    loopback.api_server = "https://k8s.home.arpa:6443"
    assert api_server_url(loopback) == "https://k8s.home.arpa:6443"
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default"},
        "spec": {"clusterIP": "10.96.0.1", "ports": [{"port": 443, "targetPort": 6443}]},
    }
    kubeadm = state([node("w1", version="v1.31.2"), service])
    assert api_server_url(kubeadm) == "https://10.96.0.1:443"


def test_the_capture_manifest_gives_the_api_server_address(tmp_path: Path) -> None:
    source = SCENARIOS / "k3s1-network-failure"
    manifest = json.loads((source / "homelabctl-manifest.json").read_text(encoding="utf-8"))
    manifest["source"] = {"context": "home", "server": "https://k3s.home.arpa:6443"}
    (tmp_path / "homelabctl-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    shutil.copy(source / "snapshot.yaml", tmp_path / "snapshot.yaml")
    st = SnapshotSource([tmp_path / "homelabctl-manifest.json", tmp_path / "snapshot.yaml"]).load()
    assert st.api_server == "https://k3s.home.arpa:6443"
    k3s1 = st.index.get("Node", None, "k3s1")
    assert api_server_url(st, k3s1) == "https://k3s.home.arpa:6443"


def test_manager_of_follows_flux_labels_helm_annotations_and_managed_by() -> None:
    st = _state("kubelet-path-change")
    plugin = st.index.get("DaemonSet.apps", "longhorn-system", "longhorn-csi-plugin")
    assert plugin is not None
    manager = manager_of(st.index, plugin)  # longhorn.io/managed-by: longhorn-manager → its Flux labels
    assert manager is not None and (manager.kind, manager.namespace, manager.name) == (
        "HelmRelease",
        "longhorn-system",
        "longhorn",
    )
    helm_only = state(
        [
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {
                    "name": "velero",
                    "namespace": "backup",
                    "labels": {"app.kubernetes.io/managed-by": "Helm"},
                    "annotations": {
                        "meta.helm.sh/release-name": "velero",
                        "meta.helm.sh/release-namespace": "backup",
                    },
                },
            }
        ]
    )
    deploy = helm_only.index.get("Deployment.apps", "backup", "velero")
    assert deploy is not None
    found = manager_of(helm_only.index, deploy)
    assert found is not None and (found.kind, found.reconcile) == ("Helm release", None)


def test_csi_plugin_daemonset_is_found_by_the_driver_socket_it_registers() -> None:
    st = _state("demo")
    ds = csi_plugin_daemonset(st.index, "nfs.csi.k8s.io")
    assert ds is not None and (ds.namespace, ds.name) == ("kube-system", "csi-nfs-node")
    assert csi_plugin_daemonset(st.index, "no.such.driver") is None


def test_hint_steps_take_the_first_exact_command() -> None:
    steps = hint_steps(
        "Delete it (`kubectl -n velero delete volumesnapshotlocation <name>`) or "
        "`kubectl -n velero get volumesnapshotlocations`"
    )
    assert steps[0].command == "kubectl -n velero get volumesnapshotlocations"
    assert hint_steps("") == []


def test_doubled_memory_limits() -> None:
    assert doubled("512Mi") == "1024Mi"
    assert doubled("1.5Gi") == "3Gi"
    assert doubled("2G") == "4G"
    assert doubled("lots") is None


def test_oomkilled_workload_gets_its_limit_doubled_on_the_container_that_was_killed() -> None:
    spec = {
        "containers": [
            {"name": "ml", "image": "ghcr.io/example/ml:1.0.0", "resources": {"limits": {"memory": "512Mi"}}}
        ]
    }
    deploy = deployment("ml", "ai", ready=0, pod_spec=spec)
    rs = replicaset(deploy)
    oom = pod(
        "ml-7d9f8b6c5d-x2x9q",
        "ai",
        owner=rs,
        containers=spec["containers"],
        statuses=[
            container_status(
                "ml",
                "ghcr.io/example/ml:1.0.0",
                state="waiting",
                reason="CrashLoopBackOff",
                restarts=4,
                last_terminated={"reason": "OOMKilled", "exitCode": 137},
            )
        ],
    )
    st = state([node("k3s2"), deploy, rs, oom])
    cause = Finding(
        "pod-oomkilled",
        Layer.WORKLOAD,
        Severity.CRITICAL,
        ObjectRef("Pod", "ai", "ml-7d9f8b6c5d-x2x9q"),
        "container ml was OOMKilled",
    )
    explanation = workload_down(_ctx(st, [cause]), cause)
    assert explanation is not None
    assert [s.command for s in explanation.next_steps] == [
        "kubectl -n ai logs ml-7d9f8b6c5d-x2x9q -c ml --previous --tail=50",
        "kubectl -n ai set resources deployment/ml -c ml --limits=memory=1024Mi",
    ]


def test_node_service_is_the_unit_that_runs_the_kubelet_there() -> None:
    server, agent, kubeadm = (
        _res(node("cp", control_plane=True)),
        _res(node("w1")),
        _res(node("w2", version="v1.31.2")),
    )
    kubeadm_raw = dict(kubeadm.raw)
    kubeadm_raw["metadata"] = {"name": "w2", "annotations": {}, "labels": {}}
    assert (node_service(server), node_service(agent), node_service(_res(kubeadm_raw))) == (
        "k3s",
        "k3s-agent",
        "kubelet",
    )


def test_connectivity_without_a_bgp_peer_says_what_to_ping_in_words() -> None:
    server = node("n2", control_plane=True)
    server["status"]["addresses"][0]["address"] = "10.0.0.2"
    st = state([node("n1"), server])
    n1 = st.index.get("Node", None, "n1")
    assert n1 is not None
    step = connectivity_step(_ctx(st), n1)
    assert "your default gateway" in step.text
    assert (
        step.command
        == "ping -c3 192.168.10.11; ssh n1 'ping -c3 10.0.0.2; curl -sk https://10.0.0.2:6443/healthz'"
    )
