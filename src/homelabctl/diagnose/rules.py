"""Root-cause rules. Each says which findings can explain which others, through the dependency graph.

A rule is registered like a check: an id, the layer of the cause, a rank (0 for rules that name a
specific mechanism, 1 for generic propagation, 2 for the fallback) and the check ids whose findings it can
promote to a cause. Its docstring is its documentation. Given one candidate cause it returns an
:class:`Explanation`: the objects the cause reaches, the sentence a person can act on, the evidence and
the next steps. The engine then turns objects into grouped symptoms and picks, for every finding, the
best cause: lowest rank, then lowest layer, then the one that explains the most.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from homelabctl import kinds
from homelabctl.diagnose.graph import (
    ATTACHES,
    BACKS_UP,
    BINDS,
    CONTAINS,
    DEPENDS,
    HOLDS,
    MOUNTS,
    OWNS,
    REGISTERS,
    REPLICA,
    ROUTES,
    RUNS_ON,
    SELECTS,
    SERVES_TLS,
    STORES,
    DependencyGraph,
)
from homelabctl.diagnose.model import NextStep
from homelabctl.kube import (
    node_ready_status,
    pod_is_finished,
    pod_is_ready,
    pods_of,
    requested,
)
from homelabctl.model import Finding, Layer, ObjectRef, Resource
from homelabctl.registrybase import Documented, check_registration
from homelabctl.sources.base import ClusterState

FOLLOWS_QUORUM = frozenset({OWNS, SELECTS})
"""Edges from many members to one aggregate: the aggregate is explained only if all its failing members are."""


@dataclass
class Explanation:
    impacted: set[ObjectRef]
    summary: str
    evidence: list[str] = field(default_factory=list)
    next_steps: list[NextStep] = field(default_factory=list)
    confidence: str = "high"
    accepts: Callable[[Finding], bool] | None = None
    """Optional filter: which findings on impacted objects count as symptoms."""
    object: ObjectRef | None = None
    """The object to fix, when it is not the cause finding's own (a crashing pod's Deployment)."""


class RuleContext:
    def __init__(self, state: ClusterState, graph: DependencyGraph, findings: Sequence[Finding]) -> None:
        self.state = state
        self.index = state.index
        self.graph = graph
        self.findings = findings
        self.by_object: dict[ObjectRef, list[Finding]] = {}
        self.by_check: dict[str, list[Finding]] = {}
        for finding in findings:
            self.by_object.setdefault(finding.object, []).append(finding)
            self.by_check.setdefault(finding.check, []).append(finding)

    def failing(self, ref: ObjectRef) -> bool:
        """Has a finding, or is a pod that is not ready (a DaemonSet's pod on a dead node has no finding
        of its own, yet it is why the DaemonSet is short)."""
        if ref in self.by_object:
            return True
        if ref.kind != "Pod":
            return False
        pod = self.index.get(kinds.POD, ref.namespace, ref.name)
        return pod is not None and not pod_is_ready(pod) and not pod_is_finished(pod)

    def propagate(self, start: Iterable[ObjectRef], edges: Iterable[str]) -> set[ObjectRef]:
        """Close ``start`` over ``edges``. Aggregates (owners, Services) join only when every member of
        theirs that has a finding is already in the set: one crashing replica out of three on a healthy
        node is not explained by another node's failure."""
        allowed = frozenset(edges)
        impacted = set(start)
        frontier = list(impacted)
        deferred: set[ObjectRef] = set()
        while frontier or deferred:
            progressed = False
            while frontier:
                current = frontier.pop()
                for edge in allowed:
                    for target in self.graph.direct(current, edge):
                        if target in impacted:
                            continue
                        if edge in FOLLOWS_QUORUM:
                            deferred.add(target)
                            continue
                        impacted.add(target)
                        frontier.append(target)
                        progressed = True
            for target in list(deferred):
                members = {m for e in FOLLOWS_QUORUM & allowed for m in self.graph.dependencies(target, e)}
                failing_members = {m for m in members if m in impacted or self.failing(m)}
                if failing_members and failing_members <= impacted:
                    impacted.add(target)
                    frontier.append(target)
                    progressed = True
            deferred -= impacted
            if not progressed:
                break
        return impacted

    def resource(self, ref: ObjectRef) -> Resource | None:
        return self.graph.resource(ref)


RuleFunc = Callable[[RuleContext, Finding], "Explanation | None"]


@dataclass(frozen=True)
class RuleSpec(Documented):
    id: str
    layer: Layer
    rank: int
    causes: frozenset[str]
    func: RuleFunc



RULES: dict[str, RuleSpec] = {}


def rule(id: str, *, layer: Layer, rank: int, causes: Iterable[str]) -> Callable[[RuleFunc], RuleFunc]:
    def decorate(func: RuleFunc) -> RuleFunc:
        check_registration("diagnosis rule", id, func, RULES)
        RULES[id] = RuleSpec(id, layer, rank, frozenset(causes), func)
        return func

    return decorate


def all_rules() -> list[RuleSpec]:
    return sorted(RULES.values(), key=lambda r: (r.rank, r.layer.order, r.id))


# -- helpers ---------------------------------------------------------------------------------------------
NODE_SCOPE = (RUNS_ON, REGISTERS, OWNS, SELECTS, ROUTES, BACKS_UP, HOLDS, MOUNTS, REPLICA)
NODE_SYMPTOM_CHECKS_ON_NODE = frozenset({
    "node-not-ready", "node-unreachable-taint", "node-pressure", "cni-agent-not-ready", "node-network-unavailable",
    "csi-driver-not-registered", "node-cordoned",
})


def _node_scope_accepts(node: ObjectRef) -> Callable[[Finding], bool]:
    def accepts(finding: Finding) -> bool:
        if finding.object == node:
            return finding.check in NODE_SYMPTOM_CHECKS_ON_NODE
        return True

    return accepts


def _pod_balance(ctx: RuleContext, node_name: str) -> str:
    """'4/5 failing pods are on k3s1; 0/31 pods on other nodes fail' — the line that says 'node, not app'."""
    on_node = ctx.index.pods_on_node(node_name)
    failing_here = sum(1 for p in on_node if ctx.failing(p.ref))
    others = [p for p in ctx.index.all(kinds.POD) if p.spec.get("nodeName") not in (None, node_name)]
    failing_elsewhere = sum(1 for p in others if ctx.failing(p.ref))
    return (f"{failing_here}/{len(on_node)} pods on {node_name} have findings; "
            f"{failing_elsewhere}/{len(others)} pods on other nodes do")


def _csi_symptom_note(ctx: RuleContext, symptoms: Iterable[ObjectRef]) -> str | None:
    texts = [e for ref in symptoms for f in ctx.by_object.get(ref, []) for e in (f.message, *f.evidence)]
    if any(re.search(r"not found in the list of registered CSI drivers|context deadline exceeded|i/o timeout", t)
           for t in texts):
        return ("CSI errors ('driver not registered', 'context deadline exceeded') on this node are symptoms of "
                "the node, not a CSI driver bug")
    return None


def _stuck_terminating_steps(ctx: RuleContext, node_name: str) -> list[NextStep]:
    steps = []
    for pod in ctx.index.pods_on_node(node_name):
        if pod.deletion_timestamp:
            steps.append(NextStep(
                f"force-delete pod {pod.namespace}/{pod.name} stuck Terminating — only once you are sure "
                f"{node_name} is down and will not come back with the pod still running",
                f"kubectl delete pod --grace-period=0 --force -n {pod.namespace} {pod.name}",
                dangerous=True))
    return steps


# -- rules -------------------------------------------------------------------------------------------------
@rule("node-network-failure", layer=Layer.NETWORK, rank=0,
      causes={"node-network-unavailable", "cni-agent-not-ready"})
def node_network_failure(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A node's network is down: everything failing on that node follows from it.

    Fires on ``NetworkUnavailable=True`` or a CNI agent (Cilium) that is not ready on a node whose kubelet
    still reports. Pods on that node crash with ``context deadline exceeded``/i/o timeouts and CSI plugins
    fail to register ("driver name driver.longhorn.io not found in the list of registered CSI drivers"):
    those are grouped under the node, with the count of failing pods on that node against the others —
    a node's problem can look cluster-wide. Seed: the k3s1 networking failure, first misdiagnosed as a
    K3s CSI driver bug (four hours lost).
    """
    node = ctx.resource(cause.object)
    if node is None or node.kind != "Node":
        return None
    network_unavailable = node.is_condition_true("NetworkUnavailable") is True
    if cause.check == "cni-agent-not-ready" and node_ready_status(node) != "True" and not network_unavailable:
        return None  # the kubelet itself is silent: the stale CNI status is a symptom of the node, not a cause
    impacted = ctx.propagate({node.ref}, NODE_SCOPE)
    symptoms_note = _csi_symptom_note(ctx, impacted)
    evidence = [*cause.evidence, _pod_balance(ctx, node.name)]
    if symptoms_note:
        evidence.append(symptoms_note)
    return Explanation(
        impacted,
        f"Node {node.name} has lost its pod network; the failures on {node.name} follow from it — "
        "start at the network layer, not at the applications",
        evidence,
        [NextStep(f"verify L3/L4 connectivity from {node.name}: ping the gateway and another node, reach the API "
                  "server on 6443 and the kubelet on 10250", f"ssh {node.name} 'ping -c3 192.168.10.1; "
                  "curl -sk https://<api-server>:6443/healthz'"),
         NextStep("read the Cilium agent on that node", "kubectl -n kube-system exec ds/cilium -- cilium status --brief"),
         NextStep(f"cordon {node.name} while investigating so nothing new lands there", f"kubectl cordon {node.name}"),
         NextStep("after recovery, prove it with a canary pod pinned to the node",
                  f"kubectl run canary --image=busybox --restart=Never --overrides='{{\"spec\":{{\"nodeName\":\"{node.name}\"}}}}' -- wget -qO- http://kubernetes.default.svc")],
        accepts=_node_scope_accepts(node.ref),
    )


@rule("node-down", layer=Layer.NODE, rank=0, causes={"node-not-ready"})
def node_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A node is NotReady/Unknown: its pods, stuck Terminating or stale, are symptoms of the node.

    Everything bound to the node (pods, their controllers when all their failing pods are there, CSI and
    CNI registrations of the node, routes whose only backends ran there) is grouped under it. Next steps
    start with connectivity and the kubelet, and give the force-delete command for pods stuck Terminating,
    marked dangerous. Seed: styx NotReady for three days with 8 pods stuck Terminating.
    """
    node = ctx.resource(cause.object)
    if node is None or node.kind != "Node":
        return None
    impacted = ctx.propagate({node.ref}, NODE_SCOPE)
    evidence = [*cause.evidence, _pod_balance(ctx, node.name)]
    note = _csi_symptom_note(ctx, impacted)
    if note:
        evidence.append(note)
    stuck = sum(1 for p in ctx.index.pods_on_node(node.name) if p.deletion_timestamp)
    if stuck:
        evidence.append(f"{stuck} pod(s) on {node.name} are stuck Terminating: the kubelet cannot confirm deletion")
    steps = [NextStep(f"check the node is reachable (ping, ssh) and read the kubelet: `systemctl status k3s-agent`, "
                      f"`journalctl -u k3s-agent -n 200` on {node.name}",
                      f"ssh {node.name} sudo systemctl restart k3s-agent"),
             NextStep(f"cordon {node.name} and move its workloads while it is down",
                      f"kubectl cordon {node.name} && kubectl drain {node.name} --ignore-daemonsets --delete-emptydir-data --timeout=2m"),
             *_stuck_terminating_steps(ctx, node.name)]
    return Explanation(
        impacted,
        f"{cause.message}; its pods are stale or stuck Terminating and everything scheduled there is down",
        evidence, steps, accepts=_node_scope_accepts(node.ref))


STORAGE_SCOPE = (BINDS, MOUNTS, OWNS, SELECTS, ROUTES, BACKS_UP)


def _csi_failure_scope(ctx: RuleContext, driver: str, namespace: str) -> set[ObjectRef]:
    start: set[ObjectRef] = {ObjectRef("CSIDriver", None, driver)}
    for node in ctx.index.all(kinds.NODE):
        start.add(ObjectRef("CSINode", None, node.name))
        start.add(node.ref)
    for pod in ctx.index.all(kinds.POD):
        if pod.namespace == namespace:
            start.add(pod.ref)
    return ctx.propagate(start, STORAGE_SCOPE)


def _csi_accepts(finding: Finding) -> bool:
    if finding.object.kind == "Node" and finding.object.namespace is None:
        return finding.check == "csi-driver-not-registered"
    return True


@rule("kubelet-path-breaks-csi", layer=Layer.STORAGE, rank=0, causes={"k3s-kubelet-path-mismatch"})
def kubelet_path_breaks_csi(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """The CSI plugin looks for the kubelet in the wrong directory: no node can mount its volumes.

    K3s runs the kubelet under ``/var/lib/rancher/k3s/agent/kubelet``. When Longhorn's
    ``csi.kubeletRootDir`` or the CSI DaemonSet's hostPaths say ``/var/lib/kubelet``, the plugin never
    registers: CSINode objects on every node lack the driver and every mount fails. Those findings —
    on all nodes at once, which is what tells this apart from one node's failure — are grouped here.
    Seed: the Longhorn CSI complete failure (24-hour outage, every volume lost).
    """
    driver = "driver.longhorn.io"
    same = [f.object for f in ctx.by_check.get(cause.check, [])]
    if cause.object.kind != "HelmRelease" and any(ref.kind == "HelmRelease" for ref in same):
        return None  # the DaemonSet is rendered from the HelmRelease's values: fix the values
    impacted = _csi_failure_scope(ctx, driver, cause.object.namespace or "longhorn-system") | set(same)
    unregistered = len(ctx.by_check.get("csi-driver-not-registered", []))
    evidence = [*cause.evidence]
    if unregistered:
        evidence.append(f"{unregistered}/{len(ctx.index.all(kinds.NODE))} nodes report no {driver} registration")
    return Explanation(
        impacted,
        f"{cause.message}: the CSI driver cannot register on any K3s node, so every volume mount fails",
        evidence,
        [NextStep("set the kubelet root dir back to the K3s path in the Longhorn values and reconcile",
                  "flux reconcile helmrelease longhorn -n longhorn-system --with-source"),
         NextStep("confirm registration on every node", "kubectl get csinode -o custom-columns=NODE:.metadata.name,DRIVERS:.spec.drivers[*].name"),
         NextStep("never change the kubelet path without a storage migration plan and a tested Velero backup")],
        accepts=_csi_accepts)


@rule("csi-unregistered-everywhere", layer=Layer.STORAGE, rank=1, causes={"csi-driver-not-registered"})
def csi_unregistered_everywhere(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A CSI driver is missing from every node's CSINode: one cause, not one failure per node.

    Only applies when the driver is unregistered on all nodes (on one node, the node itself is the usual
    cause). Mount failures, pending PVCs and crashing plugin pods of that storage are grouped under it.
    """
    unregistered = ctx.by_check.get("csi-driver-not-registered", [])
    nodes = ctx.index.all(kinds.NODE)
    if len(nodes) < 2 or len({f.object.name for f in unregistered}) < len(nodes):
        return None
    impacted = _csi_failure_scope(ctx, "driver.longhorn.io", "longhorn-system")
    return Explanation(
        impacted,
        "The CSI driver is registered on no node: check the plugin DaemonSet, its hostPaths and the kubelet root dir",
        [*cause.evidence, f"{len(unregistered)}/{len(nodes)} nodes lack the driver"],
        [NextStep("read the registrar sidecar of the CSI plugin",
                  "kubectl -n longhorn-system logs ds/longhorn-csi-plugin -c node-driver-registrar --tail=50")],
        confidence="medium", accepts=_csi_accepts)


FLUX_SCOPE = (DEPENDS, CONTAINS)


@rule("flux-missing-crd", layer=Layer.PLATFORM, rank=0, causes={"flux-missing-crd"})
def flux_missing_crd(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A Flux Kustomization applies objects whose CRD is not installed; everything that dependsOn it waits.

    "no matches for kind" in the Kustomization's Ready message. The Kustomization's own not-ready finding
    and every Kustomization or HelmRelease that ``dependsOn`` it (transitively, "dependency ... is not
    ready") are grouped under it. Seed: the Intel GPU plugin Kustomization without its CRDs.
    """
    impacted = ctx.propagate({cause.object}, FLUX_SCOPE)
    return Explanation(
        impacted,
        f"{cause.message}; install the CRDs first (their own Kustomization, listed in dependsOn)",
        list(cause.evidence),
        [NextStep("see which CRD is missing", "kubectl get crds | grep -i <group>"),
         NextStep("reconcile once the CRDs exist",
                  f"flux reconcile kustomization {cause.object.name} -n {cause.object.namespace or 'flux-system'} --with-source")])


@rule("helmrelease-missing-values", layer=Layer.PLATFORM, rank=0, causes={"helmrelease-missing-values-ref"})
def helmrelease_missing_values(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A HelmRelease's ``valuesFrom`` Secret or ConfigMap does not exist: the release cannot render.

    Its own not-ready finding, the Kustomization that contains it and whatever dependsOn it are grouped
    under the missing object. Seed: Authentik's missing ``authentik-secret``.
    """
    impacted = ctx.propagate({cause.object}, FLUX_SCOPE)
    ns = cause.object.namespace or "default"
    return Explanation(
        impacted, cause.message, list(cause.evidence),
        [NextStep("create the Secret (SOPS-encrypted in the repo) or fix the name in valuesFrom"),
         NextStep("reconcile the release", f"flux reconcile helmrelease {cause.object.name} -n {ns} --with-source")])


@rule("flux-dependency-chain", layer=Layer.PLATFORM, rank=1, causes={"flux-not-ready"})
def flux_dependency_chain(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A Flux object that failed on its own explains the ones that dependsOn or contain it.

    Objects waiting with reason DependencyNotReady are never a cause themselves; the first object in
    the chain that failed for a reason of its own is.
    """
    if "DependencyNotReady" in " ".join((cause.message, *cause.evidence)):
        return None
    impacted = ctx.propagate({cause.object}, FLUX_SCOPE)
    kind = cause.object.kind.lower()
    return Explanation(
        impacted, cause.message, list(cause.evidence),
        [NextStep("read the controller's view", f"flux get {kind}s -A --status-selector ready=false"),
         NextStep("reconcile after fixing", f"flux reconcile {kind} {cause.object.name} -n {cause.object.namespace} --with-source")],
        confidence="medium")


WORKLOAD_SCOPE = (OWNS, SELECTS, ROUTES, BACKS_UP)


def _workload_start(ctx: RuleContext, ref: ObjectRef) -> set[ObjectRef]:
    """A failing pod stands for its whole controller: its sibling pods and the controller itself."""
    start = {ref}
    res = ctx.resource(ref)
    if res is None:
        return start
    top = ctx.index.top_owner(res)
    start.add(top.ref)
    start.update(p.ref for p in pods_of(ctx.index, top))
    if res.kind != "Pod":
        start.update(p.ref for p in pods_of(ctx.index, res))
    return start


@rule("auth-proxy-broken", layer=Layer.SECURITY, rank=0, causes={"oauth2-proxy-misconfigured"})
def auth_proxy_broken(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A crashing auth proxy (oauth2-proxy) takes down every route behind it.

    Cookie secrets that are not 16, 24 or 32 bytes, or an OIDC issuer that differs by a trailing slash,
    make oauth2-proxy exit at start. Its crash loop, its Deployment, its Service and the HTTPRoutes that
    send traffic through it are grouped under the misconfiguration.
    """
    impacted = ctx.propagate(_workload_start(ctx, cause.object), WORKLOAD_SCOPE)
    routes = sorted(f"{r.namespace}/{r.name}" for r in impacted if r.kind in ("HTTPRoute", "Ingress"))
    consequence = f": the routes behind it are down ({', '.join(routes)})" if routes else ""
    return Explanation(
        impacted, f"{cause.message}{consequence}", list(cause.evidence),
        [NextStep("generate a 32-byte cookie secret in the URL-safe alphabet oauth2-proxy decodes",
                  "python3 -c 'import os,base64;print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"),
         NextStep("store it SOPS-encrypted, reconcile, and watch the rollout",
                  f"kubectl -n {cause.object.namespace} rollout status deploy/oauth2-proxy")])


@rule("workload-down", layer=Layer.WORKLOAD, rank=1,
      causes={"pod-crashloop", "pod-image-pull", "workload-replicas-unavailable", "pod-oomkilled"})
def workload_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A failing workload explains what depends on it: its controller, Services, routes, backup locations.

    The crash of an in-cluster object store (MinIO) explains the Velero BackupStorageLocation that points
    at it (``s3Url`` with a ``.svc`` host) and the schedules writing there; a crashing backend explains
    the routes to it. Seed: Velero's MinIO "0 drives provided" with the default location Unavailable.
    """
    impacted = ctx.propagate(_workload_start(ctx, cause.object), WORKLOAD_SCOPE)
    res = ctx.resource(cause.object)
    owner = ctx.index.top_owner(res) if res is not None else None
    target = owner.ref if owner is not None else cause.object
    downstream = sorted(str(ref) for ref in impacted
                        if ref.kind not in ("Pod", "ReplicaSet", "Job") and ref != target and ctx.failing(ref))
    consequence = f"; it takes down {', '.join(downstream)}" if downstream else ""
    return Explanation(
        impacted, f"{cause.message}{consequence}", list(cause.evidence),
        [NextStep("read the last crash", f"kubectl -n {target.namespace} logs {target.kind.lower()}/"
                  f"{target.name} --previous --tail=50")],
        confidence="medium", object=target)


TLS_SCOPE = (STORES, SERVES_TLS)


@rule("wildcard-needs-dns01", layer=Layer.PLATFORM, rank=0, causes={"certificate-wildcard-http01"})
def wildcard_needs_dns01(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A wildcard Certificate on an issuer with only HTTP-01 solvers can never be issued.

    Let's Encrypt validates wildcard names only over DNS-01. The Certificate stays not Ready, its Secret
    never appears, and the Gateway listener that serves it reports an invalid certificate ref: all grouped
    under the issuer mismatch.
    """
    impacted = ctx.propagate({cause.object}, TLS_SCOPE)
    return Explanation(
        impacted, f"{cause.message}: Let's Encrypt issues wildcard names only over DNS-01", list(cause.evidence),
        [NextStep("add a dns01 solver (e.g. Cloudflare API token) to the issuer, selected for the wildcard name"),
         NextStep("watch the retry", f"kubectl -n {cause.object.namespace} describe certificate {cause.object.name}")])


@rule("tls-chain", layer=Layer.PLATFORM, rank=1, causes={"certificate-not-ready", "certificate-expiring"})
def tls_chain(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A Certificate that is not Ready explains the Gateway listeners serving its Secret and their routes."""
    impacted = ctx.propagate({cause.object}, TLS_SCOPE)
    return Explanation(impacted, cause.message, list(cause.evidence),
                       [NextStep("read the issuance chain", f"kubectl -n {cause.object.namespace} get certificaterequest,order,challenge")],
                       confidence="medium")


@rule("gateway-down", layer=Layer.PLATFORM, rank=1, causes={"gateway-not-accepted"})
def gateway_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A Gateway that is not accepted or programmed explains the HTTPRoutes attached to it."""
    impacted = ctx.propagate({cause.object}, (ATTACHES,))
    return Explanation(impacted, cause.message, list(cause.evidence),
                       [NextStep("read the Gateway status", f"kubectl -n {cause.object.namespace} describe gateway {cause.object.name}")],
                       confidence="medium",
                       accepts=lambda f: f.object == cause.object or f.check == "httproute-not-accepted")


def _requests_gpu(res: Resource | None) -> bool:
    return res is not None and res.kind == "Pod" and requested(res.spec, "nvidia.com/gpu") > 0


@rule("gpu-saturated", layer=Layer.GPU, rank=0, causes={"gpu-time-slicing-saturated"})
def gpu_saturated(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """Every time-sliced GPU replica is taken: GPU pods that cannot schedule are symptoms of it.

    Time-slicing advertises N ``nvidia.com/gpu`` per physical card with no memory isolation. When all
    are requested, new GPU pods stay Pending on ``Insufficient nvidia.com/gpu``; those pods and their
    controllers are grouped here. Seed: the Tesla T4 time-sliced to 4.
    """
    pending = {f.object for check in ("gpu-insufficient", "pod-pending") for f in ctx.by_check.get(check, [])
               if _requests_gpu(ctx.resource(f.object))}
    start = {cause.object} | {ref for p in pending for ref in _workload_start(ctx, p)}
    impacted = ctx.propagate(start, (OWNS,))
    return Explanation(
        impacted, f"{cause.message}: new GPU pods cannot be scheduled, and the ones running share memory "
        "with no isolation", list(cause.evidence),
        [NextStep("see who holds the GPU slices", "kubectl get pods -A -o wide --field-selector=status.phase=Running | grep -i -e gpu -e ollama -e jellyfin"),
         NextStep("give critical GPU workloads a PriorityClass and cap each namespace with a ResourceQuota on requests.nvidia.com/gpu")])


@rule("standalone", layer=Layer.WORKLOAD, rank=2, causes=set())
def standalone(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """A critical finding nothing else explains is a root cause of its own.

    Other findings on the same object, and its controller when all of the controller's failing pods are
    explained, are grouped under it. The layer shown is the finding's own.
    """
    impacted = ctx.propagate(_workload_start(ctx, cause.object), (OWNS,))
    steps = [NextStep(cause.hint)] if cause.hint else []
    res = ctx.resource(cause.object)
    owner = ctx.index.top_owner(res) if res is not None and res.kind == "Pod" else None
    return Explanation(impacted, cause.message, list(cause.evidence), steps, confidence="medium",
                       object=owner.ref if owner is not None else None)


@rule("snapshot-location-conflict", layer=Layer.BACKUP, rank=0, causes={"velero-vsl-conflict"})
def snapshot_location_conflict(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """Ambiguous VolumeSnapshotLocations make every backup that snapshots volumes fail validation.

    With two locations for one provider and no default, Velero refuses the backup ("provider aws has more
    than one possible volume snapshot location"). The failing Schedules and the other location's findings
    are grouped under the conflict. Seed: "Deleted conflicting VSL configuration".
    """
    same = {f.object for f in ctx.by_check.get(cause.check, [])}
    impacted = ctx.propagate({cause.object} | same, (BACKS_UP,))
    return Explanation(
        impacted, cause.message, list(cause.evidence),
        [NextStep("delete the location you do not use, or name a default on the velero server",
                  "velero snapshot-location get; velero server --default-volume-snapshot-locations aws:<name>")])
