"""Failure domains: single points of failure, and what goes down when one host or node fails.

The inventory says which VM runs on which host, which host serves NFS and which nodes back each storage
class; the cluster says which pods run where and which volumes they mount. ``whatif`` joins the two:

1. the hosts that fail (the target and every VM on it) and the nodes running on them;
2. the storage lost: NFS classes and PVs served from a failed host's addresses, replicated classes whose
   backing nodes all failed, node-local PVs (local-path) pinned to a failed node;
3. the workloads: *down* when they lose their storage, are pinned to failed nodes, or the control plane is
   gone (nothing reschedules them); *rescheduled* (a few minutes down) when all their pods were on failed
   nodes but they can start elsewhere; *degraded* when only some pods were;
4. the apps made of those workloads, with their URLs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import msgspec

from homelabctl import kinds
from homelabctl.errors import InputError
from homelabctl.inventory.model import App, Inventory
from homelabctl.k8s import nodes, storage
from homelabctl.kube import pod_is_finished, pod_node, pod_template_spec, requested
from homelabctl.model import Resource
from homelabctl.paperwork.apps import AppResolver
from homelabctl.paperwork.cluster import (
    GPU_RESOURCES,
    HOSTNAME_LABEL,
    LONGHORN_PROVISIONER,
    WORKLOAD_KINDS,
    control_plane_nodes,
    longhorn_class_nodes,
    nfs_backed_classes,
    nfs_server_of,
    node_internal_ip,
    pod_claims,
    pod_inline_nfs,
    pv_class,
    pv_pinned_nodes,
    storage_class_provisioner,
    technology_of,
)
from homelabctl.sources.base import ClusterState

Effect = Literal["down", "rescheduled", "degraded"]
_EFFECT_RANK = {"down": 3, "rescheduled": 2, "degraded": 1}


class ClassBacking(msgspec.Struct, frozen=True):
    name: str
    technology: str
    placement: str
    nodes: tuple[str, ...]
    hosts: tuple[str, ...]
    declared: bool
    """True when the backing comes from homelab.yaml, False when read off the cluster (Longhorn tags)."""


def class_backings(state: ClusterState, inventory: Inventory | None) -> dict[str, ClassBacking]:
    """Storage class → what backs it: the inventory's declaration, else what Longhorn's disk tags say."""
    found: dict[str, ClassBacking] = {}
    if inventory is not None:
        for tier, spec in inventory.storage_classes():
            found[spec.name] = ClassBacking(
                spec.name,
                tier.technology,
                tier.placement_of(spec),
                tuple(spec.nodes or tier.nodes),
                tuple(spec.hosts or tier.hosts),
                True,
            )
    nfs_classes = nfs_backed_classes(state)
    for sc in state.index.all(kinds.STORAGE_CLASS):
        if sc.name in found:
            continue
        provisioner = storage_class_provisioner(sc)
        tech = "NFS" if sc.name in nfs_classes else technology_of(provisioner)
        if provisioner == LONGHORN_PROVISIONER:
            nodes = longhorn_class_nodes(state, sc)
            if nodes is not None:
                found[sc.name] = ClassBacking(sc.name, tech, "replicated", tuple(nodes), (), False)
        elif tech == "local-path":
            found[sc.name] = ClassBacking(sc.name, tech, "node-local", (), (), False)
        elif tech == "NFS":
            found[sc.name] = ClassBacking(sc.name, tech, "server", (), (), False)
    return found


class Spof(msgspec.Struct, frozen=True):
    kind: Literal["control-plane", "host", "storage-class"]
    subject: str
    summary: str
    impact: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "summary": self.summary,
            "impact": list(self.impact),
        }


def find_spofs(
    state: ClusterState, inventory: Inventory | None, resolver: AppResolver | None = None
) -> list[Spof]:
    spofs: list[Spof] = []
    resolver = resolver or AppResolver(state)
    control = control_plane_nodes(state)
    if not control and inventory is not None:
        control = sorted(n.name for n in inventory.nodes if "control-plane" in n.roles)
    if len(control) == 1:
        spofs.append(
            Spof(
                "control-plane",
                control[0],
                f"Single control plane node ({control[0]}): no HA",
                (
                    "API server, scheduler and controllers stop with it: nothing is rescheduled or "
                    "reconciled (Flux) until it is back",
                ),
            )
        )
    backings = class_backings(state, inventory)
    if inventory is not None:
        servers = _storage_servers(state, inventory)
        for host in inventory.hosts:
            # Only a host serving storage can be more than the control-plane SPOF already reported.
            if host.kind != "physical" or host.planned or not ({host.name, *host.addresses} & servers):
                continue
            impact = whatif(host.name, state, inventory, resolver=resolver)
            carried = []
            if impact.control_plane_lost:
                for node_name in sorted(set(control) & set(impact.nodes)):
                    inv_node = inventory.node_named(node_name)
                    on_vm = inv_node is not None and inv_node.host != host.name
                    carried.append(f"the control-plane {'VM' if on_vm else 'node'} {node_name}")
            server = [s for s in impact.storage if s.placement == "server"]
            if server:
                technologies = "/".join(sorted({s.technology for s in server}))
                carried.append(f"the {technologies} storage ({', '.join(s.name for s in server)})")
            elif host.nfs_exports:
                carried.append("the NFS exports " + ", ".join(e.path for e in host.nfs_exports))
            # A host whose only burden is the control plane is already the control-plane SPOF above.
            if not carried or (impact.control_plane_lost and len(carried) == 1):
                continue
            label = host.model or host.name
            details = [
                f"{len(impact.nodes)} node(s) down: {', '.join(impact.nodes)}" if impact.nodes else "",
                f"{len(impact.volumes)} volume(s) lost" if impact.volumes else "",
                f"{sum(1 for a in impact.apps if a.effect == 'down')} app(s) down" if impact.apps else "",
            ]
            spofs.append(
                Spof(
                    "host",
                    host.name,
                    f"{label} carries " + " and ".join(carried) + ": single point of failure",
                    tuple(d for d in details if d),
                )
            )
    for name in sorted(backings):
        backing = backings[name]
        if backing.placement == "replicated" and len(backing.nodes) == 1:
            claims = [c for c in state.index.all(kinds.PVC) if storage.claim(c).storage_class == name]
            spofs.append(
                Spof(
                    "storage-class",
                    name,
                    f"Storage class {name} is backed by one node ({backing.nodes[0]}): replicas cannot "
                    "leave it",
                    (f"{len(claims)} PVC(s) use it",),
                )
            )
    return spofs


def _storage_servers(state: ClusterState, inventory: Inventory) -> set[str]:
    """Names and addresses of what serves storage: declared hosts and exports, NFS servers mounted by PVs
    and by pods directly."""
    servers = {h.name for h in inventory.hosts if h.nfs_exports}
    for tier, spec in inventory.storage_classes():
        servers.update(spec.hosts or tier.hosts)
    servers.update(h for tier in inventory.storage for h in tier.hosts)
    for pv in state.index.all(kinds.PV):
        mount = nfs_server_of(pv)
        if mount:
            servers.add(mount[0])
    for pod in state.index.all(kinds.POD):
        servers.update(server for server, _ in pod_inline_nfs(pod.spec))
    return servers


class StorageLoss(msgspec.Struct, frozen=True):
    name: str
    technology: str
    placement: str
    reason: str


class VolumeLoss(msgspec.Struct, frozen=True):
    namespace: str | None
    claim: str | None
    volume: str
    storage_class: str
    reason: str


class WorkloadImpact(msgspec.Struct, frozen=True):
    kind: str
    namespace: str | None
    name: str
    effect: Effect
    reason: str


class AppImpact(msgspec.Struct, frozen=True):
    name: str
    stack: str
    url: str | None
    effect: Effect
    reason: str


class Impact(msgspec.Struct):
    target: str
    target_kind: Literal["host", "node"]
    hosts: list[str] = msgspec.field(default_factory=list)
    nodes: list[str] = msgspec.field(default_factory=list)
    control_plane_lost: bool = False
    storage: list[StorageLoss] = msgspec.field(default_factory=list)
    volumes: list[VolumeLoss] = msgspec.field(default_factory=list)
    workloads: list[WorkloadImpact] = msgspec.field(default_factory=list)
    apps: list[AppImpact] = msgspec.field(default_factory=list)
    notes: list[str] = msgspec.field(default_factory=list)
    """Cluster-wide consequences: the control plane, cluster DNS, GitOps."""

    @property
    def urls(self) -> list[str]:
        return [a.url for a in self.apps if a.url]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = msgspec.to_builtins(self)  # as dataclasses.asdict: only str, bool, None here
        data["urls"] = self.urls
        return data


def _resolve_target(target: str, state: ClusterState, inventory: Inventory | None) -> tuple[str, str]:
    wanted = target.strip().lower()
    if inventory is not None:
        for host in inventory.hosts:
            names = {host.name.lower()} | (
                {host.model.lower(), host.model.lower().split()[-1]} if host.model else set()
            )
            if wanted in names:
                return "host", host.name
        for inv_node in inventory.nodes:
            if inv_node.name == wanted:
                return "node", inv_node.name
    if state.index.get(kinds.NODE, None, wanted) is not None:
        return "node", wanted
    known = sorted({h.name for h in inventory.hosts} if inventory else set()) + sorted(
        n.name for n in state.index.all(kinds.NODE)
    )
    raise InputError(f"unknown host or node {target!r} (known: {', '.join(known) or 'none'})")


def whatif(
    target: str,
    state: ClusterState,
    inventory: Inventory | None,
    apps: Sequence[App] | None = None,
    *,
    resolver: AppResolver | None = None,
) -> Impact:
    kind, name = _resolve_target(target, state, inventory)
    impact = Impact(name, "host" if kind == "host" else "node")
    hosts: set[str] = set()
    nodes: set[str] = set()
    if kind == "host" and inventory is not None:
        pending = [name]
        while pending:
            current = pending.pop()
            if current in hosts:
                continue
            hosts.add(current)
            pending.extend(vm.name for vm in inventory.vms_on(current))
        nodes = {n.name for n in inventory.nodes if n.host in hosts}
    else:
        nodes = {name}
    impact.hosts, impact.nodes = sorted(hosts), sorted(nodes)
    control = control_plane_nodes(state) or (
        sorted(n.name for n in inventory.nodes if "control-plane" in n.roles) if inventory else []
    )
    impact.control_plane_lost = bool(control) and set(control) <= nodes

    # Storage: what is served from the failed hosts, or only backed by failed nodes.
    addresses: set[str] = set(hosts)
    if inventory is not None:
        for host_name in hosts:
            host = inventory.host_named(host_name)
            if host is not None:
                addresses.update(host.addresses)
    for node_name in nodes:
        node = state.index.get(kinds.NODE, None, node_name)
        ip = node_internal_ip(node) if node is not None else None
        if ip:
            addresses.add(ip)
    lost_classes: dict[str, StorageLoss] = {}
    for backing in class_backings(state, inventory).values():
        reason = ""
        if backing.placement == "server" and backing.hosts and set(backing.hosts) & hosts:
            reason = f"served by {', '.join(sorted(set(backing.hosts) & hosts))}"
        elif backing.placement == "replicated" and backing.nodes and set(backing.nodes) <= nodes:
            reason = f"all backing nodes fail ({', '.join(backing.nodes)})"
        if reason:
            lost_classes[backing.name] = StorageLoss(
                backing.name, backing.technology, backing.placement, reason
            )
    lost_pvs: dict[str, VolumeLoss] = {}
    claim_of = {volume: c for c in state.index.all(kinds.PVC) if (volume := storage.claim(c).volume_name)}
    for pv in state.index.all(kinds.PV):
        reason = ""
        server = nfs_server_of(pv)
        pinned = pv_pinned_nodes(pv)
        if server and server[0] in addresses:
            reason = f"NFS {server[0]}:{server[1]}"
        elif pv_class(pv) in lost_classes:
            reason = f"storage class {pv_class(pv)}: {lost_classes[pv_class(pv)].reason}"
        elif pinned and set(pinned) <= nodes:
            reason = f"pinned to {', '.join(pinned)} ({pv_class(pv) or 'local'})"
        if reason:
            claim = claim_of.get(pv.name)
            lost_pvs[pv.name] = VolumeLoss(
                claim.namespace if claim else None,
                claim.name if claim else None,
                pv.name,
                pv_class(pv),
                reason,
            )
            if server and pv_class(pv) and pv_class(pv) not in lost_classes:
                lost_classes[pv_class(pv)] = StorageLoss(
                    pv_class(pv), "NFS", "server", f"served from {server[0]}"
                )
    impact.storage = sorted(lost_classes.values(), key=lambda s: s.name)
    impact.volumes = sorted(lost_pvs.values(), key=lambda v: (v.namespace or "", v.claim or "", v.volume))
    lost_claims = {(v.namespace, v.claim) for v in impact.volumes if v.claim}

    # Workloads: through their pods (or their template, when no pod is running now).
    by_workload: dict[tuple[str, str | None, str], list[tuple[Resource, str]]] = {}
    workload_of: dict[tuple[str, str | None, str], Resource] = {}
    for gk in WORKLOAD_KINDS:
        for workload in state.index.all(gk):
            workload_of[(workload.kind, workload.namespace, workload.name)] = workload
    for pod in state.index.all(kinds.POD):
        if pod_is_finished(pod):
            continue
        top = state.index.top_owner(pod)
        key = (top.kind, top.namespace, top.name)
        workload_of.setdefault(key, top)
        reason = ""
        if pod_node(pod) in nodes:
            reason = f"ran on {pod_node(pod)}"
        claims = [c for c in pod_claims(pod.spec) if (pod.namespace, c) in lost_claims]
        inline = [f"{s}:{p}" for s, p in pod_inline_nfs(pod.spec) if s in addresses]
        if claims or inline:
            reason = "loses volume " + ", ".join(claims + inline)
        by_workload.setdefault(key, []).append((pod, reason))
    impacts: dict[tuple[str, str | None, str], WorkloadImpact] = {}
    for key, pods in by_workload.items():
        hit = [(p, r) for p, r in pods if r]
        if not hit:
            continue
        workload = workload_of[key]
        storage_hit = [r for _, r in hit if r.startswith("loses volume")]
        if workload.kind == "DaemonSet" and not storage_hit and len(hit) < len(pods):
            continue  # one copy per node: losing the failed node's copy is expected
        effect: Effect
        if len(hit) < len(pods) and not storage_hit:
            effect, reason = "degraded", f"{len(hit)}/{len(pods)} pods {hit[0][1]}"
        elif storage_hit:
            effect, reason = "down", storage_hit[0]
        elif impact.control_plane_lost:
            effect, reason = "down", f"{hit[0][1]}; no control plane to reschedule it"
        elif _pinned(workload, nodes):
            effect, reason = "down", f"{hit[0][1]}; pinned to {', '.join(sorted(nodes))}"
        elif missing := _needs_lost_resource(state, workload, nodes):
            effect, reason = "down", f"{hit[0][1]}; needs {missing}, which no surviving node has"
        else:
            effect, reason = "rescheduled", f"{hit[0][1]}; restarts on another node after ~5 min"
        impacts[key] = WorkloadImpact(key[0], key[1], key[2], effect, reason)
    impact.workloads = sorted(
        impacts.values(), key=lambda w: (-_EFFECT_RANK[w.effect], w.namespace or "", w.kind, w.name)
    )
    impact.notes = _cluster_notes(impact)

    resolver = resolver or AppResolver(state)
    app_list = list(apps) if apps is not None else (list(inventory.apps) if inventory is not None else [])
    for app in app_list:
        objs = resolver.resolve(app)
        hits = [
            impacts[(w.kind, w.namespace, w.name)]
            for w in objs.workloads
            if (w.kind, w.namespace, w.name) in impacts
        ]
        if not hits:
            continue
        worst = max(hits, key=lambda h: _EFFECT_RANK[h.effect])
        effect = worst.effect
        if worst.effect != "degraded" and len(hits) < len(objs.workloads):
            effect = "degraded"
        impact.apps.append(
            AppImpact(app.name, app.stack, app.url, effect, f"{worst.kind} {worst.name}: {worst.reason}")
        )
    impact.apps.sort(key=lambda a: (-_EFFECT_RANK[a.effect], a.stack, a.name))
    return impact


# Platform workloads whose loss every app feels, whatever it runs on.
_PLATFORM = (
    (
        "kube-system",
        "coredns",
        "Cluster DNS (CoreDNS) is down: in-cluster names stop resolving for every app",
    ),
    ("flux-system", "kustomize-controller", "Flux stops reconciling: Git changes are not applied"),
    ("kube-system", "cilium-operator", "cilium-operator is down: new pods on new nodes get no IP allocation"),
)


def _cluster_notes(impact: Impact) -> list[str]:
    notes = []
    if impact.control_plane_lost:
        notes.append(
            "The control plane is down: no API (kubectl, Flux), no scheduling; running pods elsewhere "
            "keep running but nothing is restarted or moved"
        )
    down = {(w.namespace, w.name) for w in impact.workloads if w.effect in ("down", "rescheduled")}
    notes += [text for namespace, name, text in _PLATFORM if (namespace, name) in down]
    return notes


def _needs_lost_resource(state: ClusterState, workload: Resource, failed: set[str]) -> str | None:
    """An extended resource (a GPU) the workload requests that only failed nodes advertise."""
    spec = pod_template_spec(workload)
    for resource in GPU_RESOURCES:
        if requested(spec, resource) <= 0:
            continue
        survivors = [
            n
            for n in state.index.all(kinds.NODE)
            if n.name not in failed and resource in nodes.allocatable(n)
        ]
        if not survivors:
            return resource
    return None


def _pinned(workload: Resource, nodes: set[str]) -> bool:
    """Required to run on the failed nodes only (hostname nodeSelector or required node affinity)."""
    spec = pod_template_spec(workload)
    hostname = (spec.get("nodeSelector") or {}).get(HOSTNAME_LABEL)
    if hostname:
        return str(hostname) in nodes
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    allowed: set[str] = set()
    for term in required.get("nodeSelectorTerms") or []:
        for expr in term.get("matchExpressions") or []:
            if expr.get("key") != HOSTNAME_LABEL or expr.get("operator") != "In":
                return False
            allowed.update(str(v) for v in expr.get("values") or [])
    return bool(allowed) and allowed <= nodes


def render_whatif_text(impact: Impact) -> str:
    what = f"host {impact.target}" if impact.target_kind == "host" else f"node {impact.target}"
    lines = [f"If {what} fails:", ""]
    if impact.hosts:
        lines.append(f"Hosts down: {', '.join(impact.hosts)}")
    lines.append(f"Nodes down: {', '.join(impact.nodes) or 'none'}")
    if impact.control_plane_lost:
        lines.append(
            "Control plane: LOST (no API server: nothing is rescheduled or reconciled until it is back)"
        )
    else:
        lines.append("Control plane: survives")
    lines += [f"  ! {note}" for note in impact.notes[1 if impact.control_plane_lost else 0 :]]
    lines += ["", "Storage lost:"]
    lines += [f"  - {s.name} ({s.technology}): {s.reason}" for s in impact.storage] or ["  - none"]
    lines += ["", f"Volumes lost ({len(impact.volumes)}):"]
    lines += [
        f"  - {v.namespace}/{v.claim} ({v.volume}, {v.storage_class or 'no class'}): {v.reason}"
        if v.claim
        else f"  - PV {v.volume} ({v.storage_class or 'no class'}): {v.reason}"
        for v in impact.volumes
    ] or ["  - none"]
    lines += ["", "Apps:"]
    lines += [
        f"  - {a.effect.upper():<11} {a.name} ({a.stack}) {a.url or ''}".rstrip() + f"  [{a.reason}]"
        for a in impact.apps
    ] or ["  - none affected"]
    others = [w for w in impact.workloads if w.effect != "degraded"]
    lines += ["", f"Workloads down or restarting ({len(others)}):"]
    lines += [f"  - {w.effect:<11} {w.kind} {w.namespace}/{w.name}: {w.reason}" for w in others] or [
        "  - none"
    ]
    if impact.urls:
        lines += ["", "URLs that stop answering:"]
        lines += [f"  - {a.url}" for a in impact.apps if a.url and a.effect in ("down", "rescheduled")]
    return "\n".join(lines) + "\n"


def render_whatif_markdown(impact: Impact) -> str:
    what = f"host `{impact.target}`" if impact.target_kind == "host" else f"node `{impact.target}`"
    lines = [f"## What if {what} fails", ""]
    if impact.hosts:
        lines.append(f"- **Hosts down**: {', '.join(impact.hosts)}")
    lines.append(f"- **Nodes down**: {', '.join(impact.nodes) or 'none'}")
    lines.append("- **Control plane**: " + ("❌ lost" if impact.control_plane_lost else "✅ survives"))
    lines += [f"- ⚠️ {note}" for note in impact.notes]
    lines += ["", "### Storage lost", ""]
    lines += [f"- **{s.name}** ({s.technology}): {s.reason}" for s in impact.storage] or ["- none"]
    if impact.volumes:
        lines += ["", "| Namespace | PVC | Volume | Class | Why |", "|---|---|---|---|---|"]
        lines += [
            f"| {v.namespace or ''} | {v.claim or ''} | {v.volume} | {v.storage_class} | {v.reason} |"
            for v in impact.volumes
        ]
    lines += ["", "### Apps", "", "| App | Stack | URL | Effect | Why |", "|---|---|---|---|---|"]
    lines += [f"| {a.name} | {a.stack} | {a.url or 'N/A'} | {a.effect} | {a.reason} |" for a in impact.apps]
    if not impact.apps:
        lines.append("| _none_ | | | | |")
    return "\n".join(lines) + "\n"
