"""Scopes and helpers several cause rules share."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import msgspec

from homelabctl import kinds
from homelabctl.diagnose.context import GENERIC_EDGES, Explanation, RuleContext
from homelabctl.diagnose.evidence import snippet
from homelabctl.diagnose.graph import (
    BACKS_UP,
    BINDS,
    HOLDS,
    MOUNTS,
    OWNS,
    REGISTERS,
    REPLICA,
    ROUTES,
    RUNS_ON,
    SELECTS,
)
from homelabctl.diagnose.model import NextStep
from homelabctl.k8s import cilium, graphrefs, refs, services
from homelabctl.k8s import nodes as k8s_nodes
from homelabctl.k8s import pods as k8s_pods
from homelabctl.k8s.node_refusals import Refused
from homelabctl.k8s.pods import ContainerStatus
from homelabctl.knowledge import cni as cni_facts
from homelabctl.knowledge.container_states import CRASHLOOP, NEVER_STARTED_REASONS
from homelabctl.kube import (
    node_is_control_plane,
    node_is_k3s,
    node_is_ready,
    node_kubelet_version,
    pod_containers,
    pod_is_finished,
    pod_is_ready,
    pod_node,
    pod_template_spec,
    pods_of,
)
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Finding, ObjectRef, Resource
from homelabctl.selectors import from_spec
from homelabctl.sources.base import ClusterState
from homelabctl.sources.index import ClusterIndex

NODE_SCOPE = (RUNS_ON, REGISTERS, OWNS, SELECTS, ROUTES, BACKS_UP, HOLDS, MOUNTS, REPLICA)
STORAGE_SCOPE = (BINDS, MOUNTS, OWNS, SELECTS, ROUTES, BACKS_UP)
NODE_SYMPTOM_CHECKS_ON_NODE = frozenset(
    {
        "node-not-ready",
        "node-unreachable-taint",
        "node-pressure",
        "cni-agent-not-ready",
        "node-network-unavailable",
        "csi-driver-not-registered",
        "node-cordoned",
    }
)


def node_scope_accepts(node: ObjectRef) -> Callable[[Finding], bool]:
    def accepts(finding: Finding) -> bool:
        if finding.object == node:
            return finding.check in NODE_SYMPTOM_CHECKS_ON_NODE
        return True

    return accepts


def pod_balance(ctx: RuleContext, node_name: str) -> str:
    """'4/5 failing pods are on k3s1; 0/31 pods on other nodes fail' — the line that says 'node, not app'."""
    on_node = ctx.index.pods_on_node(node_name)
    failing_here = sum(1 for p in on_node if ctx.failing(p.ref))
    failing_pods = {f.object for f in ctx.findings if f.object.kind == "Pod"}
    others = len(ctx.index.all(kinds.POD)) - len(on_node)
    here = {p.ref for p in on_node}
    failing_elsewhere = sum(1 for ref in failing_pods if ref not in here)
    return (
        f"{failing_here}/{len(on_node)} pods on {node_name} have findings; "
        f"{failing_elsewhere}/{max(others, 0)} pods on other nodes do"
    )


_CSI_SYMPTOM_PHRASES = (
    "not found in the list of registered CSI drivers",
    "context deadline exceeded",
    "i/o timeout",
)


def csi_symptom_note(ctx: RuleContext, symptoms: Iterable[ObjectRef]) -> str | None:
    texts = [e for ref in symptoms for f in ctx.by_object.get(ref, []) for e in (f.message, *f.evidence)]
    # three literal phrases, case as written: substring tests, no pattern to compile or look up per text
    if any(phrase in t for t in texts for phrase in _CSI_SYMPTOM_PHRASES):
        return (
            "CSI errors ('driver not registered', 'context deadline exceeded') on this node are symptoms of "
            "the node, not a CSI driver bug"
        )
    return None


def stuck_terminating_steps(ctx: RuleContext, node_name: str) -> list[NextStep]:
    steps = []
    for pod in ctx.index.pods_on_node(node_name):
        if pod.deletion_timestamp:
            steps.append(
                NextStep(
                    f"force-delete pod {pod.namespace}/{pod.name} stuck Terminating — only once you are sure "
                    f"{node_name} is down and will not come back with the pod still running",
                    f"kubectl delete pod --grace-period=0 --force -n {pod.namespace} {pod.name}",
                    dangerous=True,
                )
            )
    return steps


def csi_failure_scope(ctx: RuleContext, driver: str, namespace: str) -> set[ObjectRef]:
    start: set[ObjectRef] = {ObjectRef("CSIDriver", None, driver)}
    for node in ctx.index.all(kinds.NODE):
        start.add(ObjectRef("CSINode", None, node.name))
        start.add(node.ref)
    for pod in ctx.index.all(kinds.POD):
        if pod.namespace == namespace:
            start.add(pod.ref)
    return ctx.propagate(start, STORAGE_SCOPE)


def csi_accepts(finding: Finding) -> bool:
    if finding.object.kind == "Node" and finding.object.namespace is None:
        return finding.check == "csi-driver-not-registered"
    return True


# -- lookups the next steps share: the exact pod, container, manager and address in this cluster ---------------
# A next step names what the operator types: the crash-looping pod on the broken node, not "some pod of the
# DaemonSet"; the HelmRelease that renders a DaemonSet, not the one a particular homelab happens to use.

_BACKTICKED = LazyPattern(r"`((?:kubectl|flux|velero|ssh|helm|crictl|curl|journalctl) [^`]+)`")
_PLACEHOLDER = LazyPattern(r"<[A-Za-z][A-Za-z0-9 _-]*>")


class FailingContainer(msgspec.Struct, frozen=True):
    """The container of a pod that fails, and whether its logs can say why."""

    name: str
    restarted: bool
    """It has a previous instance: ``logs --previous`` reads the last crash."""
    started: bool
    """It ever ran: a container that never started has no logs; the pod's events say why."""
    crashlooping: bool


def _container_score(cs: ContainerStatus) -> int:
    if cs.waiting_reason == CRASHLOOP:
        return 5
    if cs.last_state.terminated and not cs.ready:
        return 4
    if cs.state.terminated and (cs.state.exit_code or 0) != 0:
        return 3
    if cs.state.waiting:
        return 2
    return 1 if not cs.ready else 0


def failing_container(pod: Resource) -> FailingContainer | None:
    """The container that fails in ``pod`` (init containers included): crash-looping first, then one with a
    previous crash, then one waiting, then one not ready. None when every container is ready."""
    best: tuple[int, ContainerStatus] | None = None
    for cs in k8s_pods.all_container_statuses(pod):
        score = _container_score(cs)
        if score and (best is None or score > best[0]):
            best = (score, cs)
    if best is None:
        return None
    cs = best[1]
    restarted = cs.last_state.terminated or cs.restart_count > 0
    never = cs.waiting_reason in NEVER_STARTED_REASONS and not restarted
    started = not never and (restarted or cs.state.running or cs.state.terminated)
    return FailingContainer(cs.name, restarted, started, best[0] == 5)


def _pod_badness(ctx: RuleContext, pod: Resource) -> tuple[int, bool, bool, str]:
    container = failing_container(pod)
    return (-(_container_score_of(container)), pod.ref not in ctx.by_object, pod_is_ready(pod), pod.name)


def _container_score_of(container: FailingContainer | None) -> int:
    if container is None:
        return 0
    return 5 if container.crashlooping else 4 if container.restarted else 2 if not container.started else 1


def failing_pod(ctx: RuleContext, ref: ObjectRef, node: str | None = None) -> Resource | None:
    """The pod to read for a failing object: the pod itself, or the worst live pod of a controller (a
    crash-looping one first, one with findings first, then any not ready), on ``node`` when given."""
    res = ctx.resource(ref)
    if res is None:
        return None
    if res.kind == "Pod":
        return res
    pods = [
        p for p in pods_of(ctx.index, res) if not pod_is_finished(p) and (node is None or pod_node(p) == node)
    ]
    failing = [p for p in pods if not pod_is_ready(p) or failing_container(p) is not None]
    return min(failing, key=lambda p: _pod_badness(ctx, p)) if failing else None


def pod_read_step(pod: Resource, what: str = "read why it fails") -> NextStep:
    """``kubectl logs`` of the failing container (``--previous`` when it has crashed before), or the pod's
    events when the container never started (image pull, missing Secret, volume not mounted)."""
    ns = pod.namespace or "default"
    container = failing_container(pod)
    if container is None or not container.started:
        return NextStep(
            f"{what}: pod {ns}/{pod.name}'s events (its container never started)",
            f"kubectl -n {ns} describe pod {pod.name}",
        )
    previous = " --previous" if container.restarted else ""
    return NextStep(
        f"{what}: the {'last crash' if container.restarted else 'log'} of container {container.name} "
        f"in pod {ns}/{pod.name}",
        f"kubectl -n {ns} logs {pod.name} -c {container.name}{previous} --tail=50",
    )


def daemon_pod_on_node(index: ClusterIndex, daemonset: Resource, node: str) -> Resource | None:
    """The pod a DaemonSet runs on ``node`` (the newest live one)."""
    pods = [
        p
        for p in index.pods_on_node(node)
        if index.top_owner(p).ref == daemonset.ref and not pod_is_finished(p)
    ]
    return max(pods, key=lambda p: (not p.deletion_timestamp, p.creation_timestamp or "")) if pods else None


class CniAgent(msgspec.Struct, frozen=True):
    """The CNI agent of one node: its DaemonSet and pod there (None in K3s's embedded flannel)."""

    cni: str
    daemonset: Resource | None
    pod: Resource | None
    container: str | None
    status_command: str | None


def _cni_of(daemonset: Resource) -> tuple[str, str | None, str | None] | None:
    for cni, prefix, container, status in cni_facts.CNI_AGENTS:
        if (
            daemonset.name == prefix
            or daemonset.name.startswith(prefix + "-")
            or daemonset.labels.get("k8s-app") == prefix
        ):
            return cni, container, status
    for volume in k8s_pods.volumes(pod_template_spec(daemonset)):
        if (volume.host_path or "").rstrip("/") in cni_facts.CNI_HOST_PATHS:
            return daemonset.name, None, None
    return None


def cni_agent(ctx: RuleContext, node: Resource) -> CniAgent | None:
    """The pod network agent of ``node``: the CNI DaemonSet's pod running there (found by its DaemonSet's
    name, or by the CNI config directory it mounts from the host), or K3s's flannel, which runs inside the
    k3s process itself and has no pod. None when nothing says which CNI the cluster uses."""
    for pod in ctx.index.pods_on_node(node.name):
        owner = ctx.index.top_owner(pod)
        if owner.kind != "DaemonSet":
            continue
        known = _cni_of(owner)
        if known is not None:
            cni, container, status = known
            here = daemon_pod_on_node(ctx.index, owner, node.name) or pod
            failing = failing_container(here)
            return CniAgent(cni, owner, here, failing.name if failing else container, status)
    for ds in ctx.index.all(kinds.DAEMONSET):
        known = _cni_of(ds)
        if known is not None:  # a CNI DaemonSet with no pod on this node: why it is missing is the question
            return CniAgent(known[0], ds, None, known[1], None)
    if any(key.startswith("flannel.alpha.coreos.com/") for key in node.annotations) and node_is_k3s(node):
        return CniAgent("flannel (embedded in K3s)", None, None, None, None)
    return None


def node_service(node: Resource) -> str:
    """The systemd unit that runs the kubelet on ``node``: ``k3s`` on a K3s server, ``k3s-agent`` on a K3s agent,
    ``rke2-server``/``rke2-agent`` on RKE2, else ``kubelet``."""
    version = node_kubelet_version(node)
    server = node_is_control_plane(node)
    if node_is_k3s(node):
        return "k3s" if server else "k3s-agent"
    if "rke2" in version:
        return "rke2-server" if server else "rke2-agent"
    return "kubelet"


def node_address(node: Resource, kind: str = "InternalIP") -> str | None:
    return k8s_nodes.address(node, kind) or None


def peer_node(index: ClusterIndex, node: Resource) -> Resource | None:
    """Another Ready node with an address, a control-plane one first: what the node should reach."""
    others = [
        n for n in index.all(kinds.NODE) if n.name != node.name and node_is_ready(n) and node_address(n)
    ]
    return min(others, key=lambda n: (not node_is_control_plane(n), n.name)) if others else None


def bgp_peer(index: ClusterIndex, node: Resource) -> str | None:
    """The router a Cilium BGP policy peers ``node`` with (the first neighbour of a policy selecting it)."""
    for policy in index.all("CiliumBGPPeeringPolicy.cilium.io"):
        raw = cilium.node_selector(policy)
        selector = from_spec(raw) if isinstance(raw, Mapping) else from_spec({})
        if selector is None or not selector.matches(node.labels):
            continue
        for peer in cilium.bgp_peers(policy):
            if peer.peer_address and peer.peer_address != "None":
                return peer.peer_address.split("/", 1)[0]
    return None


_LOOPBACK = ("127.", "localhost", "[::1]", "::1")
_K3S_URL = LazyPattern(r'"K3S_URL"\s*:\s*"(https?://[^"]+)"')


def api_server_url(state: ClusterState, node: Resource | None = None) -> str | None:
    """Where the API server answers, as a node would reach it: the address the data was read from (unless it is
    a loopback address), the K3s agent's own ``K3S_URL``, the ``kubernetes`` Service's endpoints, a K3s server
    node on 6443, else the ``kubernetes`` Service ClusterIP. None when the snapshot says nothing."""
    server = state.api_server
    if (
        server
        and refs.url_host(server)
        and not any(str(refs.url_host(server)).startswith(p) for p in _LOOPBACK)
    ):
        return server.rstrip("/")
    if node is not None:
        match = _K3S_URL.search(str(node.annotations.get("k3s.io/node-env") or ""))
        if match:
            return match.group(1).rstrip("/")
    index = state.index
    service = index.get(kinds.SERVICE, "default", "kubernetes")
    if service is not None:
        ready = refs.service_endpoints(
            index,
            service,
            slices_read=index.has(kinds.ENDPOINT_SLICE),
            endpoints_read=index.has(kinds.ENDPOINTS),
        )
        ports = services.ports(service)
        target = ports[0].target_port if ports else None
        if ready is not None and ready.ready and isinstance(target, int):
            return f"https://{ready.ready[0].address}:{target}"
    servers = [
        n for n in index.all(kinds.NODE) if node_is_control_plane(n) and node_is_k3s(n) and node_address(n)
    ]
    if servers:
        return f"https://{node_address(sorted(servers, key=lambda n: n.name)[0])}:6443"
    ips = graphrefs.cluster_ips(service) if service is not None else []
    return f"https://{ips[0]}:443" if ips else None


class Manager(msgspec.Struct, frozen=True):
    """What renders an object: a Flux HelmRelease, a Helm release without Flux, or a Flux Kustomization."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"

    @property
    def reconcile(self) -> str | None:
        if self.kind == "HelmRelease":
            return f"flux reconcile helmrelease {self.name} -n {self.namespace} --with-source"
        if self.kind == "Kustomization":
            return f"flux reconcile kustomization {self.name} -n {self.namespace} --with-source"
        return None


def _own_manager(index: ClusterIndex, res: Resource) -> Manager | None:
    labels, annotations = res.labels, res.annotations
    if labels.get("helm.toolkit.fluxcd.io/name") and labels.get("helm.toolkit.fluxcd.io/namespace"):
        return Manager(
            "HelmRelease", labels["helm.toolkit.fluxcd.io/namespace"], labels["helm.toolkit.fluxcd.io/name"]
        )
    release, release_ns = (
        annotations.get("meta.helm.sh/release-name"),
        annotations.get("meta.helm.sh/release-namespace"),
    )
    if release and release_ns:
        for hr in index.all(kinds.HELM_RELEASE):
            wiring = graphrefs.flux_wiring(hr)
            target = wiring.target_namespace or hr.namespace or ""
            names = {wiring.release_name, hr.name}
            if release in names and target == release_ns:
                return Manager("HelmRelease", hr.namespace or release_ns, hr.name)
        return Manager("Helm release", str(release_ns), str(release))
    if labels.get("kustomize.toolkit.fluxcd.io/name") and labels.get("kustomize.toolkit.fluxcd.io/namespace"):
        return Manager(
            "Kustomization",
            labels["kustomize.toolkit.fluxcd.io/namespace"],
            labels["kustomize.toolkit.fluxcd.io/name"],
        )
    return None


def manager_of(index: ClusterIndex, res: Resource) -> Manager | None:
    """The HelmRelease, Helm release or Kustomization that renders ``res``: from its own Flux/Helm labels and
    annotations, else from its owners', else from the workload a ``*/managed-by`` label names (Longhorn's
    CSI DaemonSet is created by longhorn-manager, which the Longhorn HelmRelease renders)."""
    seen: set[ObjectRef] = set()
    queue = [res]
    while queue and len(seen) < 8:
        current = queue.pop(0)
        if current.ref in seen:
            continue
        seen.add(current.ref)
        found = _own_manager(index, current)
        if found is not None:
            return found
        owner = index.owner(current)
        if owner is not None:
            queue.append(owner)
        for key, value in current.labels.items():
            if key.endswith("/managed-by") and value and value.lower() != "helm":
                for gk in (kinds.DEPLOYMENT, kinds.DAEMONSET, kinds.STATEFULSET):
                    named = index.get(gk, current.namespace, str(value))
                    if named is not None:
                        queue.append(named)
    return None


def csi_plugin_daemonset(index: ClusterIndex, driver: str) -> Resource | None:
    """The DaemonSet that registers CSI ``driver`` with the kubelet on each node: its registrar names the
    driver's socket (``.../plugins/<driver>/csi.sock``), it mounts the driver's plugin directory, or its plugin
    container is given the driver's name (``--drivername=nfs.csi.k8s.io``: csi-driver-nfs's socket directory
    is ``csi-nfsplugin``)."""
    marker = f"/{driver}/"
    named = re.compile(rf"^--(?:csi-)?driver-?name={re.escape(driver)}$")
    for ds in index.all(kinds.DAEMONSET):
        spec = pod_template_spec(ds)
        texts: list[str] = []
        for container in pod_containers(spec):
            texts += [str(a) for a in container.get("args") or [] if isinstance(a, (str, int))]
            texts += [str(e.get("value", "")) for e in container.get("env") or [] if isinstance(e, Mapping)]
        for volume in spec.get("volumes") or []:
            host = volume.get("hostPath") if isinstance(volume, Mapping) else None
            if isinstance(host, Mapping):
                texts.append(str(host.get("path") or "") + "/")
        if any(marker in text or named.match(text) for text in texts):
            return ds
    return None


def hint_steps(hint: str) -> list[NextStep]:
    """A check's hint as a next step, with the first exact command it quotes (none with a placeholder)."""
    if not hint:
        return []
    # a command is quoted between backticks: most hints quote none (nor is the pattern compiled for them)
    quoted = _BACKTICKED.findall(hint) if "`" in hint else []
    commands = [c for c in quoted if not _PLACEHOLDER.search(c)]
    return [NextStep(hint, commands[0] if commands else None)]


def describe_step(ref: ObjectRef) -> NextStep:
    ns = f" -n {ref.namespace}" if ref.namespace else ""
    return NextStep(
        "read the object's status and events", f"kubectl describe {ref.kind.lower()} {ref.name}{ns}"
    )


def has_placeholder(command: str) -> bool:
    return bool(_PLACEHOLDER.search(command))


def link_pods_refused_on_node(
    ctx: RuleContext, cause: Finding, refused: Iterable[tuple[ObjectRef, str]]
) -> set[ObjectRef]:
    """A node cause that fails some pods only (a resource run out, a runtime handler missing): link it to
    each pod whose own words ``line`` say so (``runs-on``, those words as provenance) and return them with
    their controllers, the start of the propagation. The node's other pods are not its symptoms."""
    node = cause.object.name
    start: set[ObjectRef] = set()
    for pod, line in refused:
        ctx.graph.add(
            cause.object, RUNS_ON, pod, f'pod {pod.namespace}/{pod.name} on {node}: "{snippet(line, line)}"'
        )
        start |= ctx.workload_start(pod)
    return start


def node_refusal_explanation(
    ctx: RuleContext,
    cause: Finding,
    refused: dict[tuple[str, str], list[Refused]],
    first_step: NextStep,
) -> Explanation | None:
    """The explanation of a node cause that refuses some pods only (a runtime handler or a mount helper it
    lacks): the pods ``refused`` there, linked by their own words, and what depends on them; ``first_step``
    (what to look at on the node) before the check's hint. None when no pod on the node was refused."""
    node = cause.object.name
    start = link_pods_refused_on_node(
        ctx, cause, ((r.pod, r.line) for (where, _), items in refused.items() if where == node for r in items)
    )
    return explanation_from(ctx, cause, start, first_step)


def explanation_from(
    ctx: RuleContext, cause: Finding, start: set[ObjectRef], first_step: NextStep
) -> Explanation | None:
    """The explanation of a cause whose failure starts at ``start``: what depends on those objects (the
    generic edges), the cause's message and evidence, ``first_step`` then the check's hint. None when nothing
    starts there (the cause explains no symptom)."""
    if not start:
        return None
    steps = [first_step, *hint_steps(cause.hint)]
    return Explanation(ctx.propagate(start, GENERIC_EDGES), cause.message, list(cause.evidence), steps)
