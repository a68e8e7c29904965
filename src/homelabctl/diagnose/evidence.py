"""Turn the words failing objects wrote into graph edges (``mentions``), each keeping the words as provenance.

Only failing objects are read (the objects of findings, plus the ReplicaSets and pods of a failing
controller, whose events say why it cannot create or run them): the text of a healthy object explains
nothing. Each reference found by :mod:`homelabctl.diagnose.links` is resolved against the snapshot and
becomes an edge *from* the object it names *to* the failing object that named it — the named object, if it
fails too, is upstream.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from homelabctl.diagnose import links
from homelabctl.diagnose.graph import (
    APPLIES,
    EXTERNAL_HOST,
    GOVERNS,
    MENTIONS,
    RESOLVES,
    RUNS_ON,
    SOURCE,
    DependencyGraph,
    external,
)
from homelabctl.diagnose.natures import quotes_unread
from homelabctl.k8s import cluster_dns, graphrefs
from homelabctl.k8s import conditions as k8s_conditions
from homelabctl.k8s import events as k8s_events
from homelabctl.k8s import pods as k8s_pods
from homelabctl.knowledge import net_errors
from homelabctl.model import Finding, ObjectRef, Resource
from homelabctl.redact import mask_url_credentials

MAX_CHILDREN = 20
"""Children of a failing controller whose texts are read; a 500-pod Job does not need 500 reads."""
_SNIPPET = 160
_CLUSTER_SCOPED = frozenset({"StorageClass", "PersistentVolume", "PriorityClass", "Node"})
_NAMESPACED = frozenset({"Secret", "ConfigMap", "PersistentVolumeClaim", "ServiceAccount", "Service"})
MIN_RESOLVED_NAMES = 2
"""Different names whose lookups through one resolver went unanswered before the resolver is the cause: one
name could be that name's own zone failing."""
_CLUSTER_SUFFIXES = (".local", ".svc", ".internal", ".lan", ".home.arpa")
_HEALTHY_WHEN_FALSE = frozenset({"DiskPressure", "MemoryPressure", "PIDPressure", "NetworkUnavailable"})
"""Conditions that say something is wrong when True; every other condition does when it is not True."""


def snippet(text: str, match: str) -> str:
    """The match with some context, on one line, credentials in URLs masked."""
    flat = " ".join(text.split()).rstrip("…")
    if len(flat) > _SNIPPET:
        at = max(flat.find(" ".join(match.split())), 0)
        start = max(at - 60, 0)
        flat = ("…" if start else "") + flat[start : start + _SNIPPET] + "…"
    return mask_url_credentials(flat)


def object_texts(index: object, res: Resource) -> Iterator[tuple[str, str]]:
    """(where, text) pairs: status message and conditions, container messages, and the object's events."""
    label = f"{res.kind} {res.namespace + '/' if res.namespace else ''}{res.name}"
    said = graphrefs.status_words(res)
    for key, value in (("message", said.message), ("reason", said.reason)):
        if value:
            yield f"{label} status.{key}", value
    for cond in k8s_conditions.conditions(res):
        healthy = "False" if cond.type in _HEALTHY_WHEN_FALSE else "True"
        if cond.message and cond.status != healthy:
            yield f"{label} condition {cond.type}", cond.message
    if res.kind == "Pod":
        for cs in [*k8s_pods.container_statuses(res), *k8s_pods.container_statuses(res, init=True)]:
            for state_key, state in (("state", cs.state), ("lastState", cs.last_state)):
                if state.phase in ("waiting", "terminated") and state.message:
                    yield f"{label} container {cs.name} {state_key}.{state.phase}", state.message
    events_for = getattr(index, "events_for", None)
    if events_for is not None:
        for raw_event in events_for(res):
            ev = k8s_events.event(raw_event)
            if ev.type == "Normal" or not ev.message:
                continue
            yield f"Event {ev.reason} on {label}".replace("  ", " "), ev.message


def _texts(
    graph: DependencyGraph, readings: Readings, ref: ObjectRef, findings: Sequence[Finding]
) -> Iterator[tuple[str, str]]:
    """The object's own words first (they make the better provenance), then what the findings quote. Not
    what a configuration finding quotes: it describes how the object is set up (its issuer's server, its
    image's registry), which names what the object uses, not what failed it (``natures.quotes_unread``)."""
    res = graph.resource(ref)
    if res is not None:
        yield from _object_and_children_texts(graph, readings, res)
    unread = quotes_unread()
    for finding in findings:
        if finding.check in unread:
            continue
        where = f"finding {finding.check} on {ref}"
        yield where, finding.message
        for ev in finding.evidence:
            yield where, ev


def _object_and_children_texts(
    graph: DependencyGraph, readings: Readings, res: Resource
) -> Iterator[tuple[str, str]]:
    yield from readings.texts(res)
    if res.kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        children = list(graph.index.children(res))[:MAX_CHILDREN]
        for child in children:
            yield from readings.texts(child)
            if child.kind == "ReplicaSet":
                for grandchild in list(graph.index.children(child))[:MAX_CHILDREN]:
                    yield from readings.texts(grandchild)


def _resolve(
    graph: DependencyGraph, failing: ObjectRef, mention: links.Mention, known_hosts: set[str]
) -> Iterable[ObjectRef]:
    kind = mention.kind
    if kind == "Webhook":
        entry = graph.webhook_entry(mention.name)
        # a webhook explains failures only where its selectors make the API server call it
        return [entry[0]] if entry is not None and graph.admitted_by(entry[1], failing) else []
    if kind == "Taint":
        return graph.nodes_with_taint(mention.name)
    if kind == "ExtendedResource":
        return graph.device_plugins(mention.name)
    if kind == "CSIDriverName":
        res = graph.resource(failing)
        node = (
            failing.name if failing.kind == "Node" else (k8s_pods.node_name(res) if res is not None else None)
        )
        return graph.csi_node_plugins(mention.name, node) if node else []
    if kind in _CLUSTER_SCOPED:
        ref = ObjectRef(kind, None, mention.name)
        return [ref] if kind != "Node" or graph.exists(ref) else []
    if kind in _NAMESPACED:
        return [ObjectRef(kind, mention.namespace or failing.namespace, mention.name)]
    ref = ObjectRef(kind, mention.namespace or failing.namespace, mention.name)
    return [ref] if graph.exists(ref) else []


Lookup = tuple[str, str, ObjectRef, str]
"""(resolver address, name looked up, the failing object, the words)."""


class _Words:
    """What the extractors of :mod:`links` find in one text. Objects and findings repeat the same words (every
    pod of a workload with one BackOff message, a finding quoting its object's condition), so each distinct text
    is read once per diagnosis and resolved against the graph for every object that wrote it."""

    __slots__ = (
        "_text",
        "_timeout",
        "_unapplied",
        "artifact",
        "cluster_lookup",
        "hosts",
        "ips",
        "low_resource",
        "mentions",
        "named_lookups",
        "quiet",
        "service_dns",
        "short_services",
    )

    def __init__(self, text: str) -> None:
        self._text = text
        self.ips = links.ip_addresses(text)
        self.service_dns = links.service_dns_names(text)
        self.hosts, self.short_services = links.hosts_and_short_services(text)
        self.mentions = links.object_mentions(text)
        self.cluster_lookup, self.named_lookups = links.lookup_readings(text)
        self.artifact = links.says_artifact_missing(text)
        self.low_resource = "node was low on resource" in text.lower()
        self._unapplied: list[links.Mention] | None = None
        self._timeout: tuple[re.Match[str] | None] | None = None
        self.quiet = not (
            self.ips
            or self.service_dns
            or self.short_services
            or self.hosts
            or self.mentions
            or self.cluster_lookup
            or self.artifact
            or self.low_resource
        )
        """Nothing here names an object (what a Kustomization failed to apply aside, read on demand): most
        texts, which then link nothing."""

    @property
    def unapplied(self) -> list[links.Mention]:
        """Only a Kustomization's own words are read for these: computed on first use."""
        if self._unapplied is None:
            self._unapplied = links.unapplied_objects(self._text)
        return self._unapplied

    @property
    def timeout(self) -> re.Match[str] | None:
        """A network timeout in the text (only failing pods' texts are asked, by the correlations)."""
        if self._timeout is None:
            self._timeout = (net_errors.timeout(self._text),)
        return self._timeout[0]


class Readings:
    """The texts of objects and what the extractors find in them, read once per diagnosis: the evidence links
    read a failing pod for its own finding and again as its controller's child, and the correlations across
    findings read the same pods."""

    def __init__(self, index: object) -> None:
        self.index = index
        self._texts: dict[int, tuple[Resource, list[tuple[str, str]]]] = {}
        self._words: dict[str, _Words] = {}

    def texts(self, res: Resource) -> list[tuple[str, str]]:
        """``object_texts`` of ``res`` (keyed by the object itself, which the entry keeps alive)."""
        hit = self._texts.get(id(res))
        if hit is None:
            hit = self._texts[id(res)] = (res, list(object_texts(self.index, res)))
        return hit[1]

    def words(self, text: str) -> _Words:
        """What the extractors find in ``text`` (already clipped)."""
        found = self._words.get(text)
        if found is None:
            found = self._words[text] = _Words(text)
        return found


def link_evidence(
    graph: DependencyGraph, by_object: dict[ObjectRef, list[Finding]], readings: Readings | None = None
) -> None:
    """Add a ``mentions`` edge for every resolvable reference in the texts of each failing object."""
    if readings is None:
        readings = Readings(graph.index)
    known_hosts = {ref.name for ref in by_object if ref.kind == EXTERNAL_HOST}
    lookups: list[Lookup] = []
    for ref, findings in by_object.items():
        host = ref.kind == EXTERNAL_HOST
        for where, raw_text in _texts(graph, readings, ref, findings):
            text = links.clip(raw_text)
            words = readings.words(text)
            if not host and not (words.quiet and ref.kind != "Kustomization"):
                _link_text(graph, ref, where, text, words, known_hosts)
            # a host's finding quotes what failed to reach it: only the resolver it asked is read from it
            lookups += [
                (ip, name, ref, f'{where}: "{snippet(text, match)}"')
                for name, ip, match in words.named_lookups
            ]
    if lookups:
        _link_resolvers(graph, by_object, lookups)


def _link_resolvers(
    graph: DependencyGraph, by_object: dict[ObjectRef, list[Finding]], lookups: list[Lookup]
) -> None:
    """A resolver outside the cluster that left lookups of several different names unanswered is their shared
    upstream: it gets a ``resolves`` edge to every object whose lookup it failed. A resolver is reached
    directly (``lookup x on 192.168.1.53:53`` names an address that is no Service, pod or node) or through the
    cluster DNS: when CoreDNS is healthy (no finding on it) and forwards outside names to that resolver, its
    ``server misbehaving`` for an outside name is the resolver's failure passed on. When the cluster DNS
    itself fails, it stays the cause (the lookups name its Service)."""
    dns_ips: dict[str, list[str]] = {}
    dns_failing = any(f.check == "cluster-dns-unhealthy" for fs in by_object.values() for f in fs)
    for svc_ref in graph.cluster_dns():
        svc = graph.resource(svc_ref)
        if svc is None:
            continue
        healthy = svc_ref not in by_object and not dns_failing
        forwards = cluster_dns.forward_addresses(graph.index, svc) if healthy else []
        for ip in graphrefs.cluster_ips(svc):
            dns_ips[ip] = forwards
    through: dict[str, list[tuple[str, ObjectRef, str]]] = {}
    for ip, name, ref, why in lookups:
        if ip in dns_ips:
            if "." not in name or name.endswith(_CLUSTER_SUFFIXES):
                continue  # a cluster name is answered by CoreDNS itself
            for upstream in dns_ips[ip]:
                through.setdefault(upstream, []).append(
                    (name, ref, f"{why}; the cluster DNS at {ip} forwards it to {upstream}")
                )
        elif graph.service_by_ip(ip) is None:
            through.setdefault(ip, []).append((name, ref, why))
    for ip, failed in sorted(through.items()):
        names = sorted({name for name, _, _ in failed})
        if len(names) < MIN_RESOLVED_NAMES:
            continue
        resolver = external(ip)
        for _, ref, why in failed:
            graph.add(resolver, RESOLVES, ref, why)
        evidence = [f"lookups through {ip} unanswered for {len(names)} names: {', '.join(names[:8])}"]
        first: dict[tuple[str, ObjectRef], str] = {}
        for name, ref, why in failed:
            first.setdefault((name, ref), why)
        evidence += list(first.values())[:6]
        graph.shared_resolvers[resolver] = (names, evidence)


def _link_text(
    graph: DependencyGraph, ref: ObjectRef, where: str, text: str, words: _Words, known_hosts: set[str]
) -> None:
    def add(cause: ObjectRef, match: str, edge: str = MENTIONS) -> None:
        # a Service named in its own backends' messages is not upstream of them (their failure is its failure)
        if cause != ref and not (cause.kind == "Service" and graph.backs(ref, cause)):
            graph.add(cause, edge, ref, f'{where}: "{snippet(text, match)}"')

    for ip, match in words.ips:
        if ip in known_hosts:
            add(external(ip), match)
            continue
        target = graph.service_by_ip(ip)
        if target is not None:
            add(target, match)
    for mention in words.service_dns:
        svc = ObjectRef("Service", mention.namespace, mention.name)
        if graph.exists(svc):
            add(svc, mention.text)
    for mention in words.short_services:
        svc = ObjectRef("Service", mention.namespace, mention.name)
        if graph.exists(svc):
            add(svc, mention.text)
    for host, match in words.hosts:
        if host in known_hosts:
            add(external(host), match)
    from_finding = where.startswith("finding ")
    for mention in words.mentions:
        if mention.kind == "Node" and from_finding:
            continue  # our own sentences say "pod x on node y is not Ready": only the cluster's words name a node
        edge = GOVERNS if mention.kind == "ResourceQuota" else MENTIONS
        for target in _resolve(graph, ref, mention, known_hosts):
            add(target, mention.text, edge)
    if ref.kind == "Kustomization" and not from_finding:
        # an object it failed to create is missing because of it: the Kustomization is upstream of it
        for mention in words.unapplied:
            target = ObjectRef(mention.kind, mention.namespace, mention.name)
            if not graph.exists(target):
                graph.add(ref, APPLIES, target, f'{where}: "{snippet(text, mention.text)}"')
    lookup = words.cluster_lookup
    if lookup:
        # a pod resolves through the cluster DNS Service: a lookup nobody answered names it
        for dns in graph.cluster_dns():
            add(dns, lookup)
    artifact = words.artifact
    if artifact and ref.kind in ("Kustomization", "HelmRelease"):
        res = graph.resource(ref)
        if res is not None:
            for source in graphrefs.flux_wiring(res).sources[:1]:
                add(ObjectRef(source.kind, source.namespace, source.name), artifact, SOURCE)
    if ref.kind == "Pod" and words.low_resource:
        res = graph.resource(ref)
        node = k8s_pods.node_name(res) if res is not None else None
        if node:
            graph.add(
                ObjectRef("Node", None, node),
                RUNS_ON,
                ref,
                f'{where}: "{snippet(text, "node was low on resource")}"',
            )
