"""The dependency graph: which object's failure can make which other object fail, and why we think so.

Edges point from the thing depended on to the thing that depends on it ("impacts"), each with a type and
a provenance: the field that makes the dependency (``spec.volumes[].persistentVolumeClaim``) or, for an
*evidence* edge, the words in an event or status that named the other object ("lookup github.com on
10.43.0.10:53: i/o timeout" → the Service with ClusterIP 10.43.0.10).

The graph is built lazily, around the findings: an object's outgoing edges are computed the first time the
diagnosis walks to it, from small per-kind indexes that are themselves built once on first use (Services
by namespace, routes by backend, Flux objects by source, ...). A healthy namespace nobody walks into costs
nothing, and every index is one pass over its kind, so the cost stays linear in the snapshot.

Objects that are referenced but missing (a Secret that does not exist) are still graph nodes: a missing
object is a perfectly good cause. Hosts outside the cluster are ``ExternalHost`` nodes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from functools import cache
from typing import Any
from urllib.parse import urlparse

from homelabctl import kinds
from homelabctl.diagnose import links
from homelabctl.k8s import (
    admission,
    certmanager,
    cilium,
    cluster_dns,
    csi_mounts,
    gateways,
    graphrefs,
    longhorn_volumes,
    podrefs,
    quota_room,
    refs,
    services,
    storage,
    templates,
)
from homelabctl.k8s import events as k8s_events
from homelabctl.k8s import nodes as k8s_nodes
from homelabctl.k8s import pods as k8s_pods
from homelabctl.k8s import routes as k8s_routes
from homelabctl.knowledge import controllers
from homelabctl.knowledge import csi as csi_facts
from homelabctl.lazyre import LazyPattern
from homelabctl.model import ObjectRef, Resource
from homelabctl.selectors import Selector, from_spec
from homelabctl.sources.base import ClusterState

# Edge types. Rules name the ones they follow.
RUNS_ON = "runs-on"  # Node → Pod
OWNS = "owns"  # Pod → ReplicaSet → Deployment, Pod → DaemonSet/StatefulSet/Job → CronJob
SELECTS = "selects"  # Pod → Service selecting it (selector or EndpointSlice targetRef)
ROUTES = "routes"  # Service → HTTPRoute/GRPCRoute/Ingress using it as backend
ATTACHES = "attaches"  # Gateway → HTTPRoute
MOUNTS = "mounts"  # PVC/Secret/ConfigMap → Pod
BINDS = "binds"  # PV → PVC, StorageClass → PVC, CSIDriver → StorageClass/PV, Longhorn Volume → PV
REGISTERS = "registers"  # Node → CSINode / Longhorn Node / CiliumNode
VALUES = "values"  # Secret/ConfigMap → HelmRelease (valuesFrom)
SOURCE = "source"  # GitRepository/HelmRepository/OCIRepository → Kustomization/HelmRelease
DEPENDS = "depends-on"  # Kustomization → Kustomization that dependsOn it (same for HelmRelease)
CONTAINS = "contains"  # HelmRelease/Kustomization → Kustomization whose inventory holds it
WAITS = "health-check"  # HelmRelease → Kustomization whose healthChecks wait for it
RELEASE = "release"  # Helm release Secret (sh.helm.release.v1.*) → HelmRelease (a pending-* one is a lock)
HOOK = "hook"  # HelmRelease → the Helm hook Jobs/Pods (helm.sh/hook) its install/upgrade runs
ISSUES = "issues"  # Issuer/ClusterIssuer → Certificate
STORES = "stores"  # Certificate → its Secret
SERVES_TLS = "serves-tls"  # Secret → Gateway listener using it
BACKS_UP = "backs-up"  # Service (object store) → BackupStorageLocation → Schedule; VSL → Schedule
HOLDS = "holds"  # Pod → ReadWriteOnce PVC it mounts: a pod on a dead node keeps the volume attached
REPLICA = "replica"  # Node → Longhorn Volume/Replica there; Replica/Engine → Volume
EXTERNAL = (
    "external"  # ExternalHost → PV (NFS/CSI server), BSL (s3Url), Flux source (url), Pod (image registry)
)
ISOLATES = "isolates"  # NetworkPolicy → the Services whose Ready pods it isolates (ingress)
ADMITS = "admits"  # Service → Validating/MutatingWebhookConfiguration calling it → controllers it blocks
MENTIONS = "mentions"  # evidence: object named in another failing object's messages → that object
ALLOCATES = (
    "allocates"  # LB IP pool (CiliumLoadBalancerIPPool, MetalLB IPAddressPool) → LoadBalancer Services
)
CONSUMES = "first-consumer"  # unscheduled Pod → the WaitForFirstConsumer claim that waits for it
GOVERNS = (
    "governs"  # ResourceQuota/LimitRange → the controller/pods it limits; Middleware → Ingress naming it
)
APPLIES = (
    "applies"  # Flux Kustomization → a missing object its failure message says it could not apply/decrypt
)
EGRESS = "egress"  # Node whose network is down → ExternalHost that only its pods fail to reach
RESOLVES = (
    "resolves"  # ExternalHost (a DNS resolver outside the cluster) → what failed to look names up through it
)
NODE_AGENT = "node-agent"  # a node's network (CNI) agent pod → the Node whose pod network it provides
RECONCILES = (
    "reconciles"  # controller Deployment (cert-manager, Flux controllers, Velero) → the objects it reconciles
)
STORES_STATE = "datastore"  # control-plane node (its datastore) → pods whose API writes it failed to commit
SERVICELB = (
    "servicelb"  # LoadBalancer Service → the svclb pods K3s's ServiceLB runs for it (svccontroller labels)
)
CSI_MOUNT = (
    "csi-mount"  # Node → the pods there waiting to mount a CSI volume whose driver it has not registered
)

ALL_EDGES = frozenset(
    {
        RUNS_ON,
        OWNS,
        SELECTS,
        ROUTES,
        ATTACHES,
        MOUNTS,
        BINDS,
        REGISTERS,
        VALUES,
        SOURCE,
        DEPENDS,
        CONTAINS,
        WAITS,
        RELEASE,
        HOOK,
        ISSUES,
        STORES,
        SERVES_TLS,
        BACKS_UP,
        HOLDS,
        REPLICA,
        EXTERNAL,
        ISOLATES,
        ADMITS,
        MENTIONS,
        RECONCILES,
        STORES_STATE,
        SERVICELB,
        CSI_MOUNT,
        ALLOCATES,
        CONSUMES,
        GOVERNS,
        NODE_AGENT,
        APPLIES,
        EGRESS,
        RESOLVES,
    }
)

_FIELD = {
    RUNS_ON: "spec.nodeName",
    OWNS: "metadata.ownerReferences",
    SELECTS: "Service selector / EndpointSlice",
    ROUTES: "backendRefs",
    ATTACHES: "parentRefs",
    MOUNTS: "spec.volumes / env",
    BINDS: "claim / class / driver",
    REGISTERS: "node registration",
    VALUES: "spec.valuesFrom",
    SOURCE: "spec.sourceRef",
    DEPENDS: "spec.dependsOn",
    CONTAINS: "status.inventory",
    WAITS: "spec.healthChecks",
    RELEASE: "Helm release Secret (owner=helm)",
    HOOK: "helm.sh/hook annotation and the release's labels",
    ISSUES: "spec.issuerRef",
    STORES: "spec.secretName",
    SERVES_TLS: "listeners[].tls.certificateRefs",
    BACKS_UP: "storageLocation / s3Url",
    HOLDS: "ReadWriteOnce claim",
    REPLICA: "Longhorn replica placement",
    EXTERNAL: "server / url / image",
    ISOLATES: "NetworkPolicy podSelector (Ingress)",
    ADMITS: "webhooks[].clientConfig.service",
    MENTIONS: "message",
    RECONCILES: "the controller that reconciles this kind",
    STORES_STATE: "etcd's errors passed on by the API server",
    SERVICELB: "svccontroller.k3s.cattle.io/svcname and svcnamespace labels",
    CSI_MOUNT: "CSINode drivers / the pod's CSI volumes",
    ALLOCATES: "pool serviceSelector / type LoadBalancer",
    CONSUMES: "volumeBindingMode: WaitForFirstConsumer",
    GOVERNS: "quota / default limits / middleware reference",
    NODE_AGENT: "the node's pod network agent",
    APPLIES: "the object it failed to apply",
    EGRESS: "the node's way out",
    RESOLVES: "the resolver named in `lookup <name> on <resolver>:53`",
}

WEBHOOK_GKS = (
    "ValidatingWebhookConfiguration.admissionregistration.k8s.io",
    "MutatingWebhookConfiguration.admissionregistration.k8s.io",
)
ENDPOINT_SLICE = "EndpointSlice.discovery.k8s.io"
LONGHORN_REPLICA = "Replica.longhorn.io"
LONGHORN_ENGINE = "Engine.longhorn.io"
REFERENCE_GRANT = "ReferenceGrant.gateway.networking.k8s.io"
ROUTE_GKS = ("HTTPRoute.gateway.networking.k8s.io", "GRPCRoute.gateway.networking.k8s.io")
FLUX_SOURCE_GKS = (
    kinds.GIT_REPOSITORY,
    kinds.HELM_REPOSITORY,
    kinds.OCI_REPOSITORY,
    kinds.HELM_CHART,
    "Bucket.source.toolkit.fluxcd.io",
)
EXTERNAL_HOST = "ExternalHost"
_NODE_IN_MESSAGE = LazyPattern(r"\bnode ([a-z0-9][a-z0-9.-]*)")
_CONTROLLERS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"})
_TEMPLATE_GKS = {
    "Deployment": kinds.DEPLOYMENT,
    "StatefulSet": kinds.STATEFULSET,
    "DaemonSet": kinds.DAEMONSET,
}
"""Controllers whose pod template's labels say which Services are meant for their pods."""
_WORKLOADS_WAITED = ("Deployment", "StatefulSet", "DaemonSet")
_HEALTH_CHECKED = frozenset({"HelmRelease", "Kustomization", *_WORKLOADS_WAITED})
_INVENTORY_FLUX = ("_HelmRelease", "_Kustomization")
_INVENTORY_WAITED = (*_INVENTORY_FLUX, *(f"_{kind}" for kind in _WORKLOADS_WAITED))
LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger"
HELM_HOOK_ANNOTATION = "helm.sh/hook"
FLUX_HELM_NAME = "helm.toolkit.fluxcd.io/name"
FLUX_HELM_NAMESPACE = "helm.toolkit.fluxcd.io/namespace"


_NO_MEMBERS: frozenset[ObjectRef] = frozenset()
_Targets = set[ObjectRef] | tuple[ObjectRef, ...]


def _ref(kind: str, namespace: str | None, name: str) -> ObjectRef:
    return ObjectRef(kind, namespace or None, name)


def external(host: str) -> ObjectRef:
    return ObjectRef(EXTERNAL_HOST, None, host)


class DependencyGraph:
    """Edges computed on demand. ``direct``/``members`` are the two queries the propagation needs."""

    def __init__(self, state: ClusterState) -> None:
        self.state = state
        self.index = state.index
        self._out: dict[ObjectRef, dict[str, _Targets]] = {}
        self._extra: dict[ObjectRef, dict[str, set[ObjectRef]]] = defaultdict(dict)
        self._why: dict[tuple[ObjectRef, str, ObjectRef], str] = {}
        self._cache: dict[str, Any] = {}
        self._members: dict[tuple[ObjectRef, str], AbstractSet[ObjectRef]] = {}
        self._selectors: dict[tuple[str | None, str], Selector | None] = {}
        self._governors: dict[ObjectRef, set[ObjectRef]] = defaultdict(set)
        self.shared_resolvers: dict[ObjectRef, tuple[list[str], list[str]]] = {}
        """DNS resolvers outside the cluster through which lookups of several names went unanswered:
        ``ExternalHost`` → (the names, the evidence). Set by the evidence links."""

    # -- construction ----------------------------------------------------------------------------------
    def add(self, cause: ObjectRef, edge: str, dependent: ObjectRef, why: str | None = None) -> None:
        """An edge known before the walk (evidence links, rule knowledge); ``why`` is its provenance."""
        if cause == dependent:
            return
        self._extra[cause].setdefault(edge, set()).add(dependent)
        if edge == GOVERNS:
            self._governors[dependent].add(cause)
        out = self._out.get(cause)
        if out is not None:
            targets = out.get(edge)
            if isinstance(targets, set):
                targets.add(dependent)
            else:
                out[edge] = {*(targets or ()), dependent}
        if why and (cause, edge, dependent) not in self._why:
            self._why[(cause, edge, dependent)] = why

    def out_edges(self, ref: ObjectRef) -> Mapping[str, Collection[ObjectRef]]:
        """Each edge's targets: a set, or a tuple of the one target there is. Computed on the first ask (every
        step of every walk asks: answered here, not through a further call)."""
        found = self._out.get(ref)
        if found is not None:
            return found
        extra = self._extra.get(ref)
        out: dict[str, _Targets] = {edge: set(targets) for edge, targets in extra.items()} if extra else {}
        self._out[ref] = out
        for edge, target in self._structural(ref):
            if target != ref:
                targets = out.get(edge)
                if isinstance(targets, set):
                    targets.add(target)
                else:  # the edge's first target (tuples are made once this walk is over)
                    out[edge] = {*(targets or ()), target}
        # one target along an edge is the usual case: kept as a tuple (48 bytes; a set of one is 216)
        for edge, targets in out.items():
            if len(targets) == 1:
                out[edge] = tuple(targets)
        return out

    def _structural(self, ref: ObjectRef) -> Iterator[tuple[str, ObjectRef]]:
        kind = ref.kind
        if kind == EXTERNAL_HOST:
            for target in self._lazy("external", self._build_external).get(ref.name, ()):
                yield EXTERNAL, target
            return
        res = self.resource(ref)
        if kind == "Node" and ref.namespace is None:
            for pod in self.index.pods_on_node(ref.name):
                yield RUNS_ON, pod.ref
            yield REGISTERS, _ref("CSINode", None, ref.name)
            yield REGISTERS, _ref("Node", self.longhorn_namespace(), ref.name)
            yield REGISTERS, _ref("CiliumNode", None, ref.name)
            yield from self._blocked_mounts(ref, ref.name, None)
            for target in self._lazy("longhorn", self._build_longhorn).get(ref, ()):
                yield REPLICA, target
            return
        if res is not None and kind == "Pod":
            yield from self._pod_out(res)
            return
        if res is not None and kind in _CONTROLLERS:
            owner = self.index.owner(res)
            if owner is not None:
                yield OWNS, owner.ref
            # a controller that cannot create its pods still leaves the Services meant for them empty
            for svc_ref in self._template_services(res):
                yield SELECTS, svc_ref
            if kind == "Deployment":
                for gk in controllers.RECONCILERS.get(res.name, ()):
                    for obj in self.index.all(gk):
                        yield RECONCILES, obj.ref
                if controllers.CA_INJECTOR in res.name:
                    for target in self._lazy("ca-injected", self._build_ca_injected):
                        yield RECONCILES, target
                for provisioner in csi_facts.provisioners_run_by(res.name):
                    for target in self._lazy("provisioning", self._build_provisioning).get(provisioner, ()):
                        yield RECONCILES, target
            return
        if res is not None:
            # anything owned (a Gateway's generated Service) is part of its owner
            owner = self.index.owner(res)
            if owner is not None:
                yield OWNS, owner.ref
        # a missing object still impacts what refers to it: referrers are found by kind and name
        yield from self._referrers(ref)
        if kind in ("CiliumLoadBalancerIPPool", "IPAddressPool") and res is not None:
            yield from self._pool_out(res)
        if kind == "HelmRelease":
            for target in self._lazy("hooks", self._build_hooks).get(ref, ()):
                yield HOOK, target
        elif kind == "Service":
            for target in self._ns_routes(ref.namespace).get(ref.name, ()):
                yield ROUTES, target
            for target in self._lazy("velero", self._build_velero).get(ref, ()):
                yield BACKS_UP, target
            for target in self._lazy("webhooks", self._build_webhooks).get(ref, ()):
                yield ADMITS, target
        elif kind == "Certificate" and res is not None:
            secret = certmanager.secret_name(res)
            if secret:
                yield STORES, _ref("Secret", ref.namespace, secret)
        elif kind == "NetworkPolicy" and res is not None:
            yield from self._policy_out(res)
        elif kind in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration") and res is not None:
            yield from self._admits_out(res)

    def _referrers(self, ref: ObjectRef) -> Iterator[tuple[str, ObjectRef]]:
        """Edges to objects that name ``ref`` in their spec (existing or not)."""
        kind = ref.kind
        if kind in ("PersistentVolumeClaim", "Secret", "ConfigMap") and not (
            kind == "PersistentVolumeClaim" and self._waits_for_consumer(ref)
        ):
            for target in self._ns_mounts(ref.namespace).get(ref, ()):
                yield MOUNTS, target
        if kind in ("PersistentVolume", "StorageClass", "CSIDriver", "Volume"):
            for target in self._lazy("storage", self._build_storage).get(ref, ()):
                yield BINDS, target
        if kind in ("Volume", "Replica", "Engine"):
            for target in self._lazy("longhorn", self._build_longhorn).get(ref, ()):
                yield REPLICA, target
        flux = self._lazy("flux", self._build_flux)
        for edge, dependent in flux.get(ref, ()):
            yield edge, dependent.ref
        if kind == "Middleware":
            for target, _why in self.middleware_references().get(ref, ()):
                yield GOVERNS, target
        if kind == "ResourceQuota":
            for target in self._quota_room().get(ref, ()):
                yield GOVERNS, target
        if kind == "Secret":
            secret = self.resource(ref)
            if secret is not None:
                for hr in self._helm_release_secret(secret):
                    yield RELEASE, hr
        if kind in (
            "Issuer",
            "ClusterIssuer",
            "Secret",
            "Gateway",
            "BackupStorageLocation",
            "VolumeSnapshotLocation",
        ):
            for edge, target in self._lazy("misc", self._build_misc).get(ref, ()):
                yield edge, target

    def _pod_out(self, pod: Resource) -> Iterator[tuple[str, ObjectRef]]:
        owner = self.index.owner(pod)
        if owner is not None:
            yield OWNS, owner.ref
        else:
            for oref in pod.owner_references:
                yield OWNS, _ref(str(oref.get("kind", "")), pod.namespace, str(oref.get("name", "")))
        for svc_ref in self._services_matching(pod.namespace, pod.labels):
            yield SELECTS, svc_ref
        slices = self._lazy("slices", self._build_slices)
        if slices:  # (most snapshots list no EndpointSlice naming pods: no ref is made to look for one)
            for svc_ref in slices.get(pod.ref, ()):
                yield SELECTS, svc_ref
        node = k8s_pods.node_name(pod)
        if node and pod.namespace:
            drivers = csi_mounts.node_plugin_drivers(pod.spec)
            if drivers:  # a CSI driver's node plugin: the pods on its node waiting for its registration
                yield from self._blocked_mounts(pod.ref, node, drivers)
        for claim in podrefs.claims(pod):
            claim_ref = _ref("PersistentVolumeClaim", pod.namespace, claim)
            if self._read_write_once(pod.namespace, claim):
                yield HOLDS, claim_ref
            if not k8s_pods.node_name(pod) and self._waits_for_consumer(claim_ref):
                yield CONSUMES, claim_ref

    def _blocked_mounts(
        self, source: ObjectRef, node: str, drivers: set[str] | None
    ) -> Iterator[tuple[str, ObjectRef]]:
        """CSI_MOUNT edges from a node (any driver) or from a driver's node plugin pod on it (its drivers) to the
        pods there waiting to mount a volume of a driver the node's CSINode does not list."""
        blocked: list[csi_mounts.BlockedMount] = self._lazy(
            f"csi-blocked:{node}", lambda: csi_mounts.blocked_mounts(self.index, node)
        )
        for mount in blocked:
            if drivers is not None and mount.driver not in drivers:
                continue
            waiting = mount.pod.ref
            self._why.setdefault(
                (source, CSI_MOUNT, waiting),
                f"CSINode {node} lists no {mount.driver}; pod {waiting.namespace}/{waiting.name} waits there to "
                f"mount {mount.volume}",
            )
            yield CSI_MOUNT, waiting

    def _pool_out(self, pool: Resource) -> Iterator[tuple[str, ObjectRef]]:
        """LoadBalancer Services an address pool serves (Cilium ``serviceSelector``; no selector: all of them)."""
        raw_selector = cilium.lb_pool(pool).service_selector
        selector = from_spec(raw_selector) if isinstance(raw_selector, Mapping) else None
        for svc in self.index.all(kinds.SERVICE):
            if services.service_type(svc) != "LoadBalancer":
                continue
            if selector is None or selector.matches(svc.labels):
                yield ALLOCATES, svc.ref

    def _policy_out(self, policy: Resource) -> Iterator[tuple[str, ObjectRef]]:
        selector = graphrefs.ingress_isolation(policy)
        if selector is None:
            return
        isolated: set[ObjectRef] = set()
        for pod in self.index.select(kinds.POD, policy.namespace, selector):
            for edge, target in self._pod_out(pod):
                if edge == SELECTS:
                    isolated.add(target)
        for svc in sorted(isolated):
            yield ISOLATES, svc

    # -- lazy indexes ----------------------------------------------------------------------------------
    def _lazy(self, key: str, build: Any) -> Any:
        built = self._cache.get(key)
        if built is None:
            built = build()
            self._cache[key] = built
        return built

    def longhorn_namespace(self) -> str:
        """Where Longhorn keeps its Node and Volume objects: the namespace it was installed in, read from the
        Longhorn objects captured (the chart's default, ``longhorn-system``, when none was)."""
        found: str = self._lazy("longhorn-namespace", self._find_longhorn_namespace)
        return found

    def _find_longhorn_namespace(self) -> str:
        for gk in (
            kinds.LONGHORN_NODE,
            kinds.LONGHORN_VOLUME,
            kinds.LONGHORN_SETTING,
            kinds.LONGHORN_REPLICA,
        ):
            for res in self.index.all(gk):
                if res.namespace:
                    return res.namespace
        return "longhorn-system"

    def _by_namespace(self, gk: str) -> dict[str | None, list[Resource]]:
        key = f"ns:{gk}"
        built = self._cache.get(key)
        if built is None:
            built = defaultdict(list)
            for res in self.index.all(gk):
                built[res.namespace].append(res)
            self._cache[key] = built
        return built

    def _ns_selectors(self, namespace: str | None) -> list[tuple[ObjectRef, Selector]]:
        """The Services of a namespace that select pods, with their parsed selectors (parsed once)."""
        key = f"selectors:{namespace}"
        built: list[tuple[ObjectRef, Selector]] | None = self._cache.get(key)
        if built is None:
            built = []
            for svc in self._by_namespace(kinds.SERVICE).get(namespace, []):
                selector = services.selector(svc)
                if selector is not None and not selector.empty:  # no selector, or {}: endpoints kept by hand
                    built.append((svc.ref, selector))
            self._cache[key] = built
        return built

    def _ns_selector_index(self, namespace: str | None) -> dict[tuple[str, str], list[Resource]]:
        """The namespace's Services by the first label pair of their selector, which every pod they select
        carries: the Services that may select a set of labels are found from that set's own pairs, and only
        those have their selector parsed."""
        key = f"selector-index:{namespace}"
        built: dict[tuple[str, str], list[Resource]] | None = self._cache.get(key)
        if built is None:
            built = defaultdict(list)
            for svc in self._by_namespace(kinds.SERVICE).get(namespace, []):
                pair = graphrefs.selector_key(svc)
                if pair is not None:
                    built[pair].append(svc)
            self._cache[key] = built
        return built

    def _selector(self, svc: Resource) -> Selector | None:
        """The Service's pod selector, parsed once; None when it selects nothing (none, or empty: endpoints
        kept by hand). Asked of core Services only: their namespace and name name them."""
        key = (svc.namespace, svc.name)
        if key in self._selectors:
            return self._selectors[key]
        selector = services.selector(svc)
        found = selector if selector is not None and not selector.empty else None
        self._selectors[key] = found
        return found

    def _services_matching(self, namespace: str | None, labels: Mapping[str, str]) -> set[ObjectRef]:
        """The Services of ``namespace`` whose selector matches ``labels`` (a pod's, a pod template's)."""
        by_pair = self._ns_selector_index(namespace)
        found: set[ObjectRef] = set()
        if by_pair:
            for pair in labels.items():
                for svc in by_pair.get(pair, ()):
                    selector = self._selector(svc)
                    if selector is not None and selector.matches(labels):
                        found.add(svc.ref)
        return found

    def _ns_template_services(self, namespace: str | None) -> dict[ObjectRef, set[ObjectRef]]:
        """Controller → the Services its pod template's labels would match (what it runs when it can)."""
        key = f"template-services:{namespace}"
        built: dict[ObjectRef, set[ObjectRef]] | None = self._cache.get(key)
        if built is None:
            controllers = [
                (w.ref, templates.pod_template_labels(w))
                for gk in (kinds.DEPLOYMENT, kinds.STATEFULSET, kinds.DAEMONSET)
                for w in self._by_namespace(gk).get(namespace, [])
            ]
            built = _match_selectors(
                self._ns_selectors(namespace), [(r, lab) for r, lab in controllers if lab]
            )
            self._cache[key] = built
        return built

    def _template_services(self, workload: Resource) -> set[ObjectRef]:
        gk = _TEMPLATE_GKS.get(workload.kind)
        if gk is None:
            return set()
        if workload.gk != gk:
            # another group's kind of that name: the controller the graph resolves that name to speaks for it
            found = self.index.get(gk, workload.namespace, workload.name)
            if found is None:
                return set()
            workload = found
        labels = templates.pod_template_labels(workload)
        return self._services_matching(workload.namespace, labels) if labels else set()

    def _ns_mounts(self, namespace: str | None) -> dict[ObjectRef, set[ObjectRef]]:
        key = f"mounts:{namespace}"
        built: dict[ObjectRef, set[ObjectRef]] | None = self._cache.get(key)
        if built is None:
            built = defaultdict(set)
            for pod in self._by_namespace(kinds.POD).get(namespace, []):
                for dep in podrefs.dependencies(pod):
                    built[_ref(dep.kind, namespace, dep.name)].add(pod.ref)
            self._cache[key] = built
        return built

    def _waits_for_consumer(self, claim: ObjectRef) -> bool:
        """An unbound claim whose class binds on first consumer: it waits for the pod, not the reverse."""
        pvc = self.index.get(kinds.PVC, claim.namespace, claim.name)
        if pvc is None:
            return False
        claim_state = storage.claim(pvc)
        if claim_state.volume_name or claim_state.phase == "Bound" or storage.claim_selected_node(pvc):
            return False
        sc = self.index.get(kinds.STORAGE_CLASS, None, claim_state.storage_class or "")
        return sc is not None and storage.binding_mode(sc) == "WaitForFirstConsumer"

    def _build_provisioning(self) -> dict[str, set[ObjectRef]]:
        """Provisioner name → the unbound claims waiting for it to create their volume (the claim's own
        ``storage-provisioner`` annotation, else its StorageClass's provisioner). Bound claims keep working
        while their provisioner is down: they are not its dependents."""
        out: dict[str, set[ObjectRef]] = defaultdict(set)
        for pvc in self.index.all(kinds.PVC):
            claim_state = storage.claim(pvc)
            if claim_state.volume_name or claim_state.phase == "Bound":
                continue
            provisioner = storage.claim_provisioner(pvc)
            if not provisioner and claim_state.storage_class:
                sc = self.index.get(kinds.STORAGE_CLASS, None, claim_state.storage_class)
                provisioner = storage.provisioner(sc) if sc is not None else ""
            if provisioner:
                out[provisioner].add(pvc.ref)
        return out

    def _read_write_once(self, namespace: str | None, claim: str) -> bool:
        pvc = self.index.get(kinds.PVC, namespace, claim)
        if pvc is None:
            return False
        modes = graphrefs.claim_access_modes(pvc)
        return "ReadWriteOnce" in modes or "ReadWriteOncePod" in modes

    def _build_slices(self) -> dict[ObjectRef, set[ObjectRef]]:
        out: dict[ObjectRef, set[ObjectRef]] = defaultdict(set)
        for eps in self.index.all(ENDPOINT_SLICE):
            svc = eps.labels.get("kubernetes.io/service-name")
            if not svc:
                continue
            for pod_ns, pod_name in graphrefs.slice_target_pods(eps):
                out[_ref("Pod", pod_ns, pod_name)].add(_ref("Service", eps.namespace, str(svc)))
        for endpoints in self.index.all(kinds.ENDPOINTS):
            for pod_ns, pod_name in graphrefs.endpoints_target_pods(endpoints):
                out[_ref("Pod", pod_ns, pod_name)].add(_ref("Service", endpoints.namespace, endpoints.name))
        return out

    def _build_slice_members(self) -> dict[ObjectRef, set[ObjectRef]]:
        """Service → the pods its EndpointSlices or Endpoints list (the reverse of ``slices``)."""
        out: dict[ObjectRef, set[ObjectRef]] = defaultdict(set)
        for pod, svcs in self._lazy("slices", self._build_slices).items():
            for svc in svcs:
                out[svc].add(pod)
        return out

    def _build_storage(self) -> dict[ObjectRef, set[ObjectRef]]:
        out: dict[ObjectRef, set[ObjectRef]] = defaultdict(set)
        for pvc in self.index.all(kinds.PVC):
            claim_state = storage.claim(pvc)
            if claim_state.storage_class:
                out[_ref("StorageClass", None, claim_state.storage_class)].add(pvc.ref)
            if claim_state.volume_name:
                out[_ref("PersistentVolume", None, claim_state.volume_name)].add(pvc.ref)
        for pv in self.index.all(kinds.PV):
            csi = storage.csi_source(pv)
            if csi is not None and csi.driver:
                out[_ref("CSIDriver", None, csi.driver)].add(pv.ref)
                if csi.driver == csi_facts.LONGHORN_DRIVER and csi.volume_handle:
                    out[_ref("Volume", self.longhorn_namespace(), csi.volume_handle)].add(pv.ref)
            bound = graphrefs.pv_claim(pv)
            if bound is not None:
                out[pv.ref].add(_ref("PersistentVolumeClaim", bound[0], bound[1]))
        for sc in self.index.all(kinds.STORAGE_CLASS):
            provisioner = storage.provisioner(sc)
            if provisioner:
                out[_ref("CSIDriver", None, provisioner)].add(sc.ref)
        return out

    def _build_longhorn(self) -> dict[ObjectRef, set[ObjectRef]]:
        out: dict[ObjectRef, set[ObjectRef]] = defaultdict(set)
        node_names = {node.name for node in self.index.all(kinds.NODE)}
        for volume in self.index.all(kinds.LONGHORN_VOLUME):
            # only what Longhorn itself wrote: "disks are unavailable: node k3s1 is not ready"
            for cond in volume.conditions:
                for name in _NODE_IN_MESSAGE.findall(str(cond.get("message") or "")):
                    if name in node_names:
                        out[_ref("Node", None, name)].add(volume.ref)
        for gk in (LONGHORN_REPLICA, LONGHORN_ENGINE):
            for part in self.index.all(gk):
                # an Engine names its volume and node in the same spec fields a Replica does
                placed = longhorn_volumes.longhorn_replica(part)
                if placed.volume_name:
                    out[part.ref].add(_ref("Volume", part.namespace, placed.volume_name))
                if placed.node:
                    out[_ref("Node", None, placed.node)].add(part.ref)
        return out

    def _ns_routes(self, namespace: str | None) -> dict[str, tuple[ObjectRef, ...]]:
        """Service name → routes for the Services of one namespace (keyed by the name alone: no ref is made for
        each backend of the namespace's routes, and a walk asks for one or two). A route in another namespace
        can use a Service only if a ReferenceGrant in the Service's namespace allows it, so only those
        namespaces are read."""
        key = f"routes:{namespace}"
        built: dict[str, tuple[ObjectRef, ...]] | None = self._cache.get(key)
        if built is None:
            namespaces = {namespace}
            for grant in self._by_namespace(REFERENCE_GRANT).get(namespace, []):
                namespaces.update(graphrefs.grant_from_namespaces(grant))
            found: dict[str, set[ObjectRef]] = {}
            for gk in ROUTE_GKS:
                for ns in namespaces:
                    for route in self._by_namespace(gk).get(ns, ()):
                        me: ObjectRef | None = None
                        # the checks read every route's rules in the same run (k8s.memo): reused here
                        for backend in k8s_routes.backend_refs(route):
                            if backend.kind == "Service" and (backend.namespace or None) == namespace:
                                if me is None:
                                    me = route.ref
                                found.setdefault(backend.name, set()).add(me)
            for ingress in self._by_namespace(kinds.INGRESS).get(namespace, ()):
                for service in _ingress_services(ingress):
                    found.setdefault(service, set()).add(ingress.ref)
            # kept as tuples, in the sets' order: a set of the one route a Service usually has is 216 bytes
            built = self._cache[key] = {svc: tuple(refs) for svc, refs in found.items()}
        return built

    def _all_routes(self) -> dict[ObjectRef, set[ObjectRef]]:
        return self._build_routes(
            [r for gk in ROUTE_GKS for r in self.index.all(gk)], self.index.all(kinds.INGRESS)
        )

    @staticmethod
    def _build_routes(
        routes: Iterable[Resource], ingresses: Iterable[Resource]
    ) -> dict[ObjectRef, set[ObjectRef]]:
        out: dict[ObjectRef, set[ObjectRef]] = defaultdict(set)
        for route in routes:
            linked = graphrefs.route_links(route)
            for namespace, name in linked.gateways:
                out[_ref("Gateway", namespace, name)].add(route.ref)
            for namespace, name in linked.services:
                out[_ref("Service", namespace, name)].add(route.ref)
        for ingress in ingresses:
            for service in _ingress_services(ingress):
                out[_ref("Service", ingress.namespace, service)].add(ingress.ref)
        return out

    def _build_flux(self) -> dict[tuple[str, str | None, str], list[tuple[str, Resource]]]:
        """Object → (edge, Kustomization or HelmRelease) for what each of those is built from, depends on,
        takes values from, waits for and holds. Built from every such object, and asked for the few a walk
        reaches, so nothing is made per object that a lookup can make: the keys are plain (kind, namespace,
        name) tuples, which an ObjectRef finds as itself (a NamedTuple hashes and compares as its fields; the
        namespaces are ``None`` or text already, as ``_ref`` makes them), and the dependents are the objects,
        whose ref a lookup makes (~1,000 HelmReleases on a large cluster, nearly all naming one repository)."""
        out: dict[tuple[str, str | None, str], list[tuple[str, Resource]]] = defaultdict(list)
        for gk in (kinds.FLUX_KUSTOMIZATION, kinds.HELM_RELEASE):
            for res in self.index.all(gk):
                sources, depends_on, values_from, health_checks, wait = graphrefs.flux_references(res)
                for source in sources:
                    out[(source.kind, source.namespace, source.name)].append((SOURCE, res))
                for dep in depends_on:
                    out[(dep.kind, dep.namespace, dep.name)].append((DEPENDS, res))
                for values in values_from:
                    out[(values.kind, values.namespace, values.name)].append((VALUES, res))
                for check in health_checks:
                    if check.kind in _HEALTH_CHECKED:
                        out[(check.kind, check.namespace, check.name)].append((WAITS, res))
                # with wait: true a Kustomization is Ready only when every workload it applied is healthy
                wanted = _INVENTORY_WAITED if res.kind == "Kustomization" and wait else _INVENTORY_FLUX
                # only what the object waits for matters here; parse nothing else of a large inventory
                for entry_id in graphrefs.inventory_entry_ids(res, wanted):
                    member = _inventory_ref(entry_id)
                    if member is not None:
                        out[member].append((WAITS if member.kind in _WORKLOADS_WAITED else CONTAINS, res))
        return out

    def _build_helm_releases(self) -> dict[tuple[str | None, str], list[ObjectRef]]:
        """(storage namespace, Helm release name) → the HelmReleases that install that release. Built only when
        a Helm release Secret is walked: most walks meet none, and it holds an entry per HelmRelease."""
        releases: dict[tuple[str | None, str], list[ObjectRef]] = defaultdict(list)
        for res in self.index.all(kinds.HELM_RELEASE):
            wiring = graphrefs.flux_wiring(res)
            releases[(wiring.storage_namespace, wiring.release_name)].append(res.ref)
        return releases

    def _build_hooks(self) -> dict[ObjectRef, set[ObjectRef]]:
        """HelmRelease → the hook Jobs and Pods of its release. A hook runs inside the release's install or
        upgrade, so its failure is that operation's failure: the release is the object to change. Hooks are
        found by the labels helm-controller puts on what it renders (``helm.toolkit.fluxcd.io/name`` and
        ``/namespace``), else by Helm's release name (``meta.helm.sh/release-name`` annotation, or
        ``app.kubernetes.io/instance`` with ``app.kubernetes.io/managed-by: Helm``) in the release's namespace."""
        out: dict[ObjectRef, set[ObjectRef]] = defaultdict(set)
        by_release: dict[tuple[str, str], ObjectRef] | None = None
        for gk in (kinds.JOB, kinds.POD):
            for res in graphrefs.annotated(self.index.all(gk), HELM_HOOK_ANNOTATION):
                if res.kind == "Pod" and res.owner_references:
                    continue  # a hook Job's pod: the Job stands for it
                labels = res.labels
                hr_name, hr_ns = labels.get(FLUX_HELM_NAME), labels.get(FLUX_HELM_NAMESPACE)
                if hr_name and hr_ns:
                    out[_ref("HelmRelease", hr_ns, hr_name)].add(res.ref)
                    continue
                release = res.annotations.get("meta.helm.sh/release-name") or (
                    labels.get("app.kubernetes.io/instance")
                    if str(labels.get("app.kubernetes.io/managed-by", "")).lower() == "helm"
                    else None
                )
                namespace = res.annotations.get("meta.helm.sh/release-namespace") or res.namespace
                if not release or not namespace:
                    continue
                if by_release is None:
                    by_release = {}
                    for hr in self.index.all(kinds.HELM_RELEASE):
                        wiring = graphrefs.flux_wiring(hr)
                        by_release[(wiring.target_namespace or hr.namespace or "", wiring.release_name)] = (
                            hr.ref
                        )
                owner = by_release.get((str(namespace), str(release)))
                if owner is not None:
                    out[owner].add(res.ref)
        return out

    def _build_ca_injected(self) -> list[ObjectRef]:
        """Webhook configurations and CRDs whose caBundle cert-manager's cainjector writes (inject-ca annotations)."""
        out = []
        for gk in (*WEBHOOK_GKS, kinds.CRD):
            for obj in self.index.all(gk):
                if any(key in obj.annotations for key in controllers.CA_INJECT_ANNOTATIONS):
                    out.append(obj.ref)
        return out

    def _build_middleware_refs(self) -> dict[ObjectRef, list[tuple[ObjectRef, str]]]:
        """Traefik Middleware → the Ingresses and IngressRoutes that name it, with the words that name it."""
        out: dict[ObjectRef, list[tuple[ObjectRef, str]]] = defaultdict(list)
        namespaces = {ns.name for ns in self.index.all(kinds.NAMESPACE)}
        for gk in (kinds.INGRESS, *kinds.TRAEFIK_INGRESS_ROUTES):
            for route in self.index.all(gk):
                for mw in k8s_routes.traefik_middlewares(route, namespaces):
                    out[_ref("Middleware", mw.namespace, mw.name)].append((route.ref, mw.written))
        return out

    def sets_default_memory(self, namespace: str | None) -> bool:
        """Does a LimitRange of the namespace inject a default memory limit into containers without one?"""
        return any(
            graphrefs.sets_default_memory(lr)
            for lr in self._by_namespace(kinds.LIMIT_RANGE).get(namespace, [])
        )

    def middleware_references(self) -> dict[ObjectRef, list[tuple[ObjectRef, str]]]:
        found: dict[ObjectRef, list[tuple[ObjectRef, str]]] = self._lazy(
            "middlewares", self._build_middleware_refs
        )
        return found

    def _quota_room(self) -> dict[ObjectRef, list[ObjectRef]]:
        """ResourceQuota → the controllers short of a pod it has no room for, read from the quota's state
        (k8s/quota_room); each also counts as governed by the quota, as the refusal's Event would make it."""
        found: dict[ObjectRef, list[ObjectRef]] | None = self._cache.get("quota-room")
        if found is None:
            found = {}
            self._cache["quota-room"] = found
            for refusal in quota_room.no_room(self.index):
                quota, workload = refusal.quota.ref, refusal.workload.ref
                found.setdefault(quota, []).append(workload)
                self._governors[workload].add(quota)
                self._why.setdefault(
                    (quota, GOVERNS, workload),
                    f"ResourceQuota {quota.namespace}/{quota.name} status: {refusal.resource} {refusal.used} used "
                    f"+ {refusal.asked} for one more pod > {refusal.hard} hard",
                )
        return found

    def governors(self, refs: Iterable[ObjectRef], memory: bool = False) -> list[tuple[ObjectRef, str]]:
        """Objects that limit ``refs`` (a quota that refused their pods; with ``memory``, the LimitRange whose
        default memory limit was injected into them), each with the words that show it."""
        self._quota_room()
        if not self._governors and not memory:
            return []  # the common case, decided before touching a workload's (possibly many) pods
        found: dict[ObjectRef, str] = {}
        for ref in sorted(refs, key=str):
            for governor in sorted(self._governors.get(ref, ()), key=str):
                found.setdefault(governor, self.provenance(governor, GOVERNS, ref))
            if memory and ref.kind == "Pod":
                pod = self.resource(ref)
                injected = pod.annotations.get(LIMIT_RANGER_ANNOTATION) if pod is not None else None
                if isinstance(injected, str) and "memory limit" in injected:
                    for limit_range in self._by_namespace(kinds.LIMIT_RANGE).get(ref.namespace, []):
                        if graphrefs.sets_default_memory(limit_range):
                            found.setdefault(
                                limit_range.ref,
                                f"Pod {ref.namespace}/{ref.name} annotation {LIMIT_RANGER_ANNOTATION}: "
                                f'"{injected[:120]}"',
                            )
        return sorted(found.items(), key=lambda item: str(item[0]))

    def _helm_release_secret(self, secret: Resource) -> list[ObjectRef]:
        """The HelmReleases whose Helm storage this Secret is (labels owner=helm, name=<release>)."""
        labels = secret.labels
        if labels.get("owner") != "helm" or not labels.get("name"):
            return []
        releases: dict[tuple[str | None, str], list[ObjectRef]] = self._lazy(
            "helm-releases", self._build_helm_releases
        )
        return list(releases.get((str(secret.namespace), str(labels["name"])), ()))

    def _build_misc(self) -> dict[ObjectRef, list[tuple[str, ObjectRef]]]:
        out: dict[ObjectRef, list[tuple[str, ObjectRef]]] = defaultdict(list)
        for cert in self.index.all(kinds.CERTIFICATE):
            issuer = certmanager.issuer_ref(cert)
            if issuer.name:
                namespace = None if issuer.kind == "ClusterIssuer" else cert.namespace
                out[_ref(issuer.kind, namespace, issuer.name)].append((ISSUES, cert.ref))
        for gateway in self.index.all(kinds.GATEWAY_KIND):
            for listener in gateways.listeners(gateway):
                for cert_ref in listener.certificate_refs:
                    if cert_ref.kind == "Secret" and cert_ref.name:
                        out[_ref("Secret", cert_ref.namespace, cert_ref.name)].append(
                            (SERVES_TLS, gateway.ref)
                        )
        for route_gw, routes in self._all_routes().items():
            if route_gw.kind == "Gateway":
                out[route_gw] += [(ATTACHES, r) for r in sorted(routes)]
        snapshot_locations = self.index.all(kinds.VOLUME_SNAPSHOT_LOCATION)
        for schedule in self.index.all(kinds.VELERO_SCHEDULE):
            locations = graphrefs.schedule_locations(schedule)
            out[_ref("BackupStorageLocation", schedule.namespace, locations.storage_location)].append(
                (BACKS_UP, schedule.ref)
            )
            if locations.snapshots:
                wanted = set(locations.snapshot_locations)
                for vsl in snapshot_locations:
                    if vsl.namespace == schedule.namespace and (not wanted or vsl.name in wanted):
                        out[vsl.ref].append((BACKS_UP, schedule.ref))
        return out

    def _build_velero(self) -> dict[ObjectRef, set[ObjectRef]]:
        out: dict[ObjectRef, set[ObjectRef]] = defaultdict(set)
        for bsl in self.index.all(kinds.BACKUP_STORAGE_LOCATION):
            service = in_cluster_service(graphrefs.s3_url(bsl), bsl.namespace)
            if service is not None:
                out[service].add(bsl.ref)
        return out

    def _build_webhooks(self) -> dict[ObjectRef, set[ObjectRef]]:
        out: dict[ObjectRef, set[ObjectRef]] = defaultdict(set)
        for gk in WEBHOOK_GKS:
            for config in self.index.all(gk):
                for hook in admission.webhooks(config):
                    if hook.service is not None:
                        out[_ref("Service", hook.service[0], hook.service[1])].add(config.ref)
        return out

    def webhook_by_entry_name(self, name: str) -> ObjectRef | None:
        """The configuration holding the webhook entry ``name`` (what ``failed calling webhook "x"`` names)."""
        entry = self.webhook_entry(name)
        return entry[0] if entry is not None else None

    def webhook_entry(self, name: str) -> tuple[ObjectRef, admission.Webhook] | None:
        names: dict[str, tuple[ObjectRef, admission.Webhook]] = self._lazy(
            "webhook-names", self._build_webhook_names
        )
        return names.get(name)

    def _build_webhook_names(self) -> dict[str, tuple[ObjectRef, admission.Webhook]]:
        out: dict[str, tuple[ObjectRef, admission.Webhook]] = {}
        for gk in WEBHOOK_GKS:
            for config in self.index.all(gk):
                for hook in admission.webhooks(config):
                    out.setdefault(hook.name, (config.ref, hook))
        return out

    def admitted_by(self, hook: admission.Webhook, ref: ObjectRef) -> bool:
        """Does the webhook entry intercept what ``ref`` creates: its namespace's labels against the entry's
        ``namespaceSelector``, the labels of the pods it makes against its ``objectSelector``?"""
        if ref.namespace is None:
            return hook.namespace_selector is None
        namespace = self.index.get(kinds.NAMESPACE, None, ref.namespace)
        res = self.resource(ref)
        labels: Mapping[str, str] = {}
        if res is not None:
            template = templates.pod_template_labels(res)
            labels = template if template is not None else res.labels
        return hook.matches(admission.namespace_labels(namespace, ref.namespace), labels)

    def _admits_out(self, config: Resource) -> Iterator[tuple[str, ObjectRef]]:
        """Controllers whose pod creates fail on an admission call that named no webhook (``Timeout: request
        did not complete``), in the namespaces and for the objects a fail-closed pod entry of ``config``
        matches."""
        hooks = [h for h in admission.webhooks(config) if h.fails_closed and h.creates_pods]
        if not hooks:
            return
        for controller in self._lazy("admission-failures", self._build_admission_failures):
            if any(self.admitted_by(hook, controller) for hook in hooks):
                yield ADMITS, controller

    def _build_admission_failures(self) -> list[ObjectRef]:
        found: set[ObjectRef] = set()
        for raw_event in self.index.all(kinds.EVENT):
            ev = k8s_events.event(raw_event)
            if ev.reason != "FailedCreate" or not links.admission_unanswered(ev.message):
                continue
            if refs.webhooks_in_message(ev.message):
                continue  # it names its webhook: the evidence link says which
            kind, namespace, name = ev.involved
            if kind:
                found.add(_ref(kind, namespace, name))
        return sorted(found)

    def _build_external(self) -> dict[str, set[ObjectRef]]:
        """Host → the objects that use it: PVs and inline volumes (NFS server), BSLs (s3Url), Flux sources (url),
        pods (image registry)."""
        out: dict[str, set[ObjectRef]] = defaultdict(set)
        for pv in self.index.all(kinds.PV):
            for server in graphrefs.pv_servers(pv):
                out[server.lower()].add(pv.ref)
        for bsl in self.index.all(kinds.BACKUP_STORAGE_LOCATION):
            host = links.url_host(graphrefs.s3_url(bsl))
            if host:
                out[host].add(bsl.ref)
        for gk in FLUX_SOURCE_GKS:
            for source in self.index.all(gk):
                host = links.url_host(graphrefs.source_address(source))
                if host:
                    out[host].add(source.ref)
        for pod in self.index.all(kinds.POD):
            for server in podrefs.nfs_servers(pod):
                out[server.lower()].add(pod.ref)
            for image in k8s_pods.images(k8s_pods.pod_spec(pod), init=True):
                if image:
                    out[links.registry_of(image)].add(pod.ref)
        return out

    def external_users(self, host: str) -> set[ObjectRef]:
        found: set[ObjectRef] = self._lazy("external", self._build_external).get(host, set())
        return found

    def cluster_dns(self) -> list[ObjectRef]:
        """The cluster DNS Service(s) every pod's resolv.conf points at."""
        found: list[ObjectRef] = self._lazy(
            "cluster-dns", lambda: [svc.ref for svc in cluster_dns.dns_services(self.index)]
        )
        return found

    def service_by_ip(self, ip: str) -> ObjectRef | None:
        found: ObjectRef | None = self._lazy("ips", self._build_ips).get(ip)
        return found

    def _build_ips(self) -> dict[str, ObjectRef]:
        out: dict[str, ObjectRef] = {}
        for svc in self.index.all(kinds.SERVICE):
            for ip in graphrefs.cluster_ips(svc):
                out.setdefault(ip, svc.ref)
        for pod in self.index.all(kinds.POD):
            ip = podrefs.pod_ip(pod)
            if ip and not podrefs.host_network(pod):
                out.setdefault(ip, pod.ref)
        for node in self.index.all(kinds.NODE):
            for address in graphrefs.node_addresses(node):
                out.setdefault(address, node.ref)
        return out

    def device_plugins(self, resource: str) -> list[ObjectRef]:
        """DaemonSets that advertise an extended resource: a ``*plugin*`` DaemonSet named after the vendor in the
        resource's domain (``nvidia.com/gpu`` → ``nvidia-device-plugin``, ``gpu.intel.com/i915`` → ``intel-gpu-plugin``)."""
        domain = resource.split("/", 1)[0]
        vendors = [
            label for label in domain.split(".") if label not in ("com", "io", "org", "net", "gpu", "k8s")
        ]
        return [
            ds.ref
            for ds in self.index.all(kinds.DAEMONSET)
            if "plugin" in ds.name and any(vendor in ds.name for vendor in vendors)
        ]

    def csi_node_plugins(self, driver: str, node: str) -> list[ObjectRef]:
        """The pods on ``node`` that register CSI ``driver`` with the kubelet (their node-driver-registrar names
        the driver's socket path, ``.../plugins/<driver>/csi.sock``)."""
        marker = f"/{driver}/"
        found = []
        for pod in self.index.pods_on_node(node):
            if any(marker in text for texts in podrefs.container_texts(pod) for text in texts):
                found.append(pod.ref)
        return found

    def nodes_with_taint(self, key: str) -> list[ObjectRef]:
        return [
            node.ref
            for node in self.index.all(kinds.NODE)
            if any(taint.key == key for taint in k8s_nodes.taints(node))
        ]

    # -- queries ---------------------------------------------------------------------------------------
    def direct(self, ref: ObjectRef, edge: str) -> set[ObjectRef]:
        targets = self.out_edges(ref).get(edge)
        if isinstance(targets, set):
            return targets
        return set(targets or ())

    def members(self, ref: ObjectRef, edge: str) -> AbstractSet[ObjectRef]:
        """The members of an aggregate: a controller's children (OWNS), a Service's pods (SELECTS)."""
        key = (ref, edge)
        found = self._members.get(key)
        if found is None:
            # most objects asked are no aggregate along that edge: one shared empty set for all of them. Only a
            # Service selects (a kind with a dot may name its group-kind: it is looked up)
            if edge == SELECTS and ref.kind != "Service" and "." not in ref.kind:
                found = _NO_MEMBERS
            else:
                found = self._members_uncached(ref, edge) or _NO_MEMBERS
            self._members[key] = found
        return found

    def _members_uncached(self, ref: ObjectRef, edge: str) -> set[ObjectRef]:
        res = self.resource(ref)
        if res is None:
            return set()
        if edge == OWNS:
            return {child.ref for child in self.index.children(res)}
        if edge == SELECTS and res.kind == "Service":
            # the Service's pods matched its parsed selector already (``_services_matching``): parsed once
            selector = self._selector(res) if res.gk == kinds.SERVICE else services.selector(res)
            # looked up in the index's cluster-wide label buckets of pods, which the checks built, rather than
            # in per-namespace buckets made for the few Services a walk reaches (a pass over every pod and a
            # bucket per namespace and label); the selector's own pairs keep the bucket small
            found = (
                {p.ref for p in self.index.select(kinds.POD, None, selector) if p.namespace == res.namespace}
                if selector is not None and not selector.empty
                else set()
            )
            found |= self._lazy("slice-members", self._build_slice_members).get(ref, set())
            if not found:  # no pod at all: the controllers meant to run them are the members
                found = {w for w, svcs in self._ns_template_services(res.namespace).items() if ref in svcs}
            return found
        return set()

    def backs(self, ref: ObjectRef, service: ObjectRef) -> bool:
        """Is ``ref`` one of the Service's pods, or a controller of one of them?"""
        pods = self.members(service, SELECTS)
        if ref in pods:
            return True
        if ref.kind == "Pod" or ref.namespace != service.namespace:
            return False
        for pod_ref in pods:
            pod = self.resource(pod_ref)
            if pod is not None and any(owner.ref == ref for owner in self.index.owner_chain(pod)):
                return True
        return False

    def edges(self) -> Iterator[tuple[ObjectRef, str, ObjectRef]]:
        """The edges computed so far (the graph is lazy: only what a walk has touched)."""
        for source, by_edge in self._out.items():
            for edge, targets in by_edge.items():
                for target in targets:
                    yield source, edge, target

    def provenance(self, cause: ObjectRef, edge: str, dependent: ObjectRef) -> str:
        """Why the edge exists: the words that made an evidence link, else the field that makes the dependency."""
        why = self._why.get((cause, edge, dependent))
        if why:
            return why
        return _FIELD.get(edge, edge)

    def resource(self, ref: ObjectRef) -> Resource | None:
        """The object behind a ref, or None when it is missing (or its kind is ambiguous and absent)."""
        if ref.kind == EXTERNAL_HOST:
            return None
        for info_gk in _gks_for_kind(ref.kind):
            found = self.index.get(info_gk, ref.namespace, ref.name)
            if found is not None:
                return found
        return None

    def exists(self, ref: ObjectRef) -> bool:
        return self.resource(ref) is not None


def _match_selectors(
    selectors: list[tuple[ObjectRef, Selector]], members: list[tuple[ObjectRef, Mapping[str, str]]]
) -> dict[ObjectRef, set[ObjectRef]]:
    """member → the selectors' owners that match its labels; candidates come from an index on one label pair."""
    by_pair: dict[tuple[str, str], list[tuple[ObjectRef, Mapping[str, str]]]] = defaultdict(list)
    for member in members:
        for pair in member[1].items():
            by_pair[pair].append(member)
    out: dict[ObjectRef, set[ObjectRef]] = defaultdict(set)
    for owner, selector in selectors:
        pairs = selector.equality_pairs()
        candidates = min((by_pair.get(pair, []) for pair in pairs), key=len) if pairs else members
        for ref, labels in candidates:
            if selector.matches(labels):
                out[ref].add(owner)
    return out


def _ingress_services(ingress: Resource) -> Iterator[str]:
    """The Services an Ingress sends to: its default backend's, then its rules' backends'."""
    default = k8s_routes.ingress_default_backend(ingress)
    if default is not None:
        yield default.service
    for backend in k8s_routes.ingress_backends(ingress):
        yield backend.service


@cache
def _gks_for_kind(kind: str) -> tuple[str, ...]:
    """Every rule asks this for every object it resolves; the catalogue never changes during a run."""
    if "." in kind:
        return (kind,)
    matches = [info.gk for info in kinds.KINDS if info.kind == kind]
    extra = {
        "EndpointSlice": ENDPOINT_SLICE,
        "Replica": LONGHORN_REPLICA,
        "Engine": LONGHORN_ENGINE,
        "ValidatingWebhookConfiguration": WEBHOOK_GKS[0],
        "MutatingWebhookConfiguration": WEBHOOK_GKS[1],
    }
    if not matches and kind in extra:
        matches = [extra[kind]]
    core_first = sorted(matches, key=lambda gk: "." in gk)
    return tuple(core_first) or (kind,)


def _inventory_ref(entry_id: str) -> ObjectRef | None:
    """Flux inventory ids: ``<namespace>_<name>_<group>_<kind>`` (namespace empty for cluster objects)."""
    parts = entry_id.split("_")
    if len(parts) < 4:
        return None
    namespace, name, kind = parts[0], "_".join(parts[1:-2]), parts[-1]
    return ObjectRef(kind, namespace or None, name)


def in_cluster_service(url: str, default_namespace: str | None) -> ObjectRef | None:
    """``http://minio.velero.svc:9000`` → Service velero/minio; None for anything outside the cluster."""
    if not url:
        return None
    host = urlparse(url if "://" in url else f"http://{url}").hostname or ""
    if not host:
        return None
    labels = host.split(".")
    if len(labels) >= 3 and labels[2] == "svc":
        return ObjectRef("Service", labels[1], labels[0])
    if len(labels) == 2 and default_namespace:
        return ObjectRef("Service", labels[1], labels[0])
    if len(labels) == 1 and default_namespace and not host.replace("-", "").isdigit():
        return ObjectRef("Service", default_namespace, labels[0])
    return None
