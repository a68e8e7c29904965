"""Evidence links: references read out of the text the cluster wrote (events, conditions, container messages).

Every extractor here is a pure function of one string and returns what it matched together with the exact
text that made the match, so the diagnosis can show *why* it connected two objects ("lookup github.com on
10.43.0.10:53: i/o timeout" connects a GitRepository to the cluster DNS Service). Extractors only propose;
the graph keeps a link only when its target exists in the snapshot (a Service with that ClusterIP, a PV
whose NFS server is that host), so a stray ``example.com`` in a message connects nothing.

Input is untrusted: texts are cut to :data:`MAX_TEXT` characters and every pattern is linear (no nested
quantifiers), so a hostile event message costs bounded time.
"""

from __future__ import annotations

import re

import msgspec

from homelabctl.k8s import refs
from homelabctl.knowledge import net_errors
from homelabctl.lazyre import LazyPattern

MAX_TEXT = 4096
"""Longest text read per message; real controller messages are far shorter."""


class Mention(msgspec.Struct, frozen=True):
    """One reference found in a text: what it names (``kind``, ``namespace``, ``name``) and the words."""

    kind: str
    namespace: str | None
    name: str
    text: str


_IPV4 = LazyPattern(
    r"(?<![\w.])((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})"
    r"(?::(\d{1,5}))?(?![\w.])"
)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_SVC_DNS = LazyPattern(
    rf"(?<![\w.-])({_LABEL})\.({_LABEL})\.svc(?:\.cluster\.local)?\.?(?::\d{{1,5}})?(?![\w-])"
)
_HOSTISH = LazyPattern(
    r"(?<![\w.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63})(?::\d{1,5})?", re.IGNORECASE
)
_QUOTED = r"""["'\\]*([a-z0-9](?:[a-z0-9._-]{0,251}[a-z0-9])?)["'\\]*"""
_NOT_FOUND: tuple[tuple[str, LazyPattern], ...] = tuple(
    (kind, LazyPattern(rf"\b{pattern}\s+{_QUOTED}\s+not found", re.IGNORECASE))
    for kind, pattern in (
        ("Secret", r"secrets?"),
        ("ConfigMap", r"configmaps?"),
        ("StorageClass", r"storageclass(?:es)?(?:\.storage\.k8s\.io)?"),
        ("PersistentVolumeClaim", r"persistentvolumeclaims?"),
        ("PersistentVolume", r"persistentvolumes?"),
        ("ServiceAccount", r"serviceaccounts?"),
        ("Service", r"services?"),
        ("PriorityClass", r"priorityclass(?:es)?(?:\.scheduling\.k8s\.io)?"),
    )
)
_WEBHOOK = LazyPattern(rf"failed calling webhook\s+{_QUOTED}", re.IGNORECASE)
_FLUX_KINDS = (
    "HelmRelease",
    "Kustomization",
    "GitRepository",
    "HelmRepository",
    "OCIRepository",
    "HelmChart",
    "Bucket",
)
_WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
# Flux names objects as Kind/ns/name ("health check failed ... Deployment/home/mealie status: 'InProgress'")
_FLUX_REF = LazyPattern(
    rf"\b({'|'.join((*_FLUX_KINDS, *_WORKLOAD_KINDS))})/(?:({_LABEL})/)?({_LABEL})(?![\w-])"
)
_FLUX_REF_KINDS = tuple(f"{kind}/" for kind in (*_FLUX_KINDS, *_WORKLOAD_KINDS))
"""What ``_FLUX_REF`` needs in a text before it can match (it is case-sensitive)."""
_KIND = r"[A-Z][A-Za-z]{1,62}"
# kustomize-controller: "failed to decrypt and format 'media/app-secrets' Secret data",
# "Secret/media/app-secrets dry-run failed (Invalid): ..."
_UNAPPLIED = (
    LazyPattern(rf"'({_LABEL})/({_LABEL})' ({_KIND}) data"),
    LazyPattern(rf"\b({_KIND})/({_LABEL})/({_LABEL}) dry-run failed"),
)
# the API server could not finish admission: a webhook did not answer (with or without its name)
_ADMISSION_UNANSWERED = LazyPattern(
    r"failed calling webhook|Internal error occurred|Timeout: request did not complete within requested timeout|"
    r"no endpoints available for service|context deadline exceeded",
    re.IGNORECASE,
)
_QUOTA = LazyPattern(rf"\bexceeded quota:\s*({_LABEL})", re.IGNORECASE)
_NODE = LazyPattern(
    rf"\bnode[s]?(?:\(s\))?\s+[\"']?({_LABEL}(?:\.{_LABEL})*)[\"']?\s+(?:is\s+not\s+ready|not\s+found|"
    r"was\s+low|is\s+unreachable|had\s+)",
    re.IGNORECASE,
)
_NODE_WORDS = (("not", "ready"), ("not", "found"), ("low",), ("unreachable",), ("had",))
"""Words of each phrase ``_NODE`` ends with, free of the letters a case-insensitive pattern also matches as
long s, dotless i or the Kelvin sign: a text without all the words of one phrase names no node that way
(most texts that say "node" do not: the pattern is not even compiled for them)."""
_TAINT = LazyPattern(r"untolerated taint\(?s?\)?\s*\{([a-z0-9./-]+)\s*:", re.IGNORECASE)
_RESOURCE = LazyPattern(r"\bInsufficient ([a-z0-9-]+(?:\.[a-z0-9-]+)+/[a-z0-9._-]+)")
_CSI_DRIVER = LazyPattern(
    r"\bdriver name ([a-z0-9][a-z0-9.-]*) not found in the list of registered CSI drivers|"
    r"\bCSI driver ([a-z0-9][a-z0-9.-]*) is not registered",
    re.IGNORECASE,
)
_ARTIFACT = LazyPattern(r"source artifact not found|artifact not found|no artifact", re.IGNORECASE)
_UNANSWERED_WORDS = ("_aga", "temporary", "erver m", "could be reached", "lookup ")
"""A word of each phrase of ``net_errors.LOOKUP_UNANSWERED`` (EAI_AGAIN, temporary failure in name resolution,
server misbehaving, no servers could be reached, lookup x: i/o timeout), free of the letters a case-insensitive
pattern also matches as long s or dotless i: a text without any of them has no unanswered lookup."""
_NOT_HOSTS = frozenset({"cluster.local", "svc.cluster.local", "k8s.io", "kubernetes.io"})


def clip(text: str) -> str:
    return text[:MAX_TEXT]


def ip_addresses(text: str) -> list[tuple[str, str]]:
    """IPv4 addresses (``10.43.0.10`` from ``10.43.0.10:53``), each with the text that named it."""
    text = clip(text)
    if (
        text.count(".") < 3
    ):  # an address has three dots: most messages are not searched (nor the pattern compiled)
        return []
    return [(m.group(1), m.group(0)) for m in _IPV4.finditer(text)]


def service_dns_names(text: str) -> list[Mention]:
    """In-cluster Service names written as ``svc.ns.svc``, ``svc.ns.svc.cluster.local`` (with or without port)."""
    lowered = clip(text).lower()
    if ".svc" not in lowered:
        return []
    return [Mention("Service", m.group(2), m.group(1), m.group(0)) for m in _SVC_DNS.finditer(lowered)]


def short_service_names(text: str) -> list[Mention]:
    """Two-label names (``minio.velero``) that may be ``service.namespace``; the graph keeps only existing ones."""
    out = []
    for m in _HOSTISH.finditer(clip(text).lower()):
        labels = m.group(1).split(".")
        if len(labels) == 2:
            out.append(Mention("Service", labels[1], labels[0], m.group(0)))
    return out


def hostnames(text: str) -> list[tuple[str, str]]:
    """Dotted host names (``github.com``, ``nas.lan``, ``s3.eu-central-1.amazonaws.com``), lower-cased."""
    out = []
    for m in _HOSTISH.finditer(clip(text)):
        host = m.group(1).lower().rstrip(".")
        if host in _NOT_HOSTS or host.replace(".", "").isdigit():
            continue
        out.append((host, m.group(0)))
    return out


def hosts_and_short_services(text: str) -> tuple[list[tuple[str, str]], list[Mention]]:
    """``hostnames(text)`` and ``short_service_names(text)``. Their pattern ignores case, so on ASCII text it
    matches the same spans in the text and in its lower-case form: one pass gives both."""
    text = clip(text)
    if "." not in text.rstrip("."):
        return [], []  # a name has a dot with something after it; a sentence's final dot names nothing
    if not text.isascii():
        return hostnames(text), short_service_names(text)
    hosts: list[tuple[str, str]] = []
    services: list[Mention] = []
    for m in _HOSTISH.finditer(text):
        name = m.group(1).lower()
        labels = name.split(".")
        if len(labels) == 2:
            services.append(Mention("Service", labels[1], labels[0], m.group(0).lower()))
        host = name.rstrip(".")
        if host in _NOT_HOSTS or host.replace(".", "").isdigit():
            continue
        hosts.append((host, m.group(0)))
    return hosts, services


def object_mentions(text: str) -> list[Mention]:
    """Objects named in controller messages: ``secret "x" not found``, ``storageclass.storage.k8s.io "x" not
    found``, ``exceeded quota: q`` (a ResourceQuota), ``failed calling webhook "w"`` (kind ``Webhook``: a webhook *entry* name), ``HelmRelease/ns/name`` (and ``Deployment/ns/name``),
    a node that ``is not ready``, taints in ``untolerated taint {key: }`` (kind ``Taint``) and device-plugin
    resources in ``Insufficient nvidia.com/gpu`` (kind ``ExtendedResource``), and a CSI driver missing from a
    node's registrations (kind ``CSIDriverName``)."""
    text = clip(text)
    lowered = text.lower()
    out = []
    if "not found" in lowered:
        for kind, pattern in _NOT_FOUND:
            out += [Mention(kind, None, m.group(1), m.group(0)) for m in pattern.finditer(text)]
    if "webhoo" in lowered:
        out += [Mention("Webhook", None, m.group(1), m.group(0)) for m in _WEBHOOK.finditer(text)]
    if "exceeded quota:" in lowered:
        out += [Mention("ResourceQuota", None, m.group(1), m.group(0)) for m in _QUOTA.finditer(text)]
    if "/" in text and any(kind in text for kind in _FLUX_REF_KINDS):  # each ends with a slash
        out += [Mention(m.group(1), m.group(2), m.group(3), m.group(0)) for m in _FLUX_REF.finditer(text)]
    if "node" in lowered and any(all(word in lowered for word in words) for words in _NODE_WORDS):
        out += [Mention("Node", None, m.group(1).lower(), m.group(0)) for m in _NODE.finditer(text)]
    if "Insufficient " not in text:
        # a node short of a resource could have run the pod but for that: the taints elsewhere are not why
        if "untolerated" in lowered:
            out += [Mention("Taint", None, m.group(1), m.group(0)) for m in _TAINT.finditer(text)]
    else:
        out += [Mention("ExtendedResource", None, m.group(1), m.group(0)) for m in _RESOURCE.finditer(text)]
    if "ver " in lowered and "not " in lowered:
        out += [
            Mention("CSIDriverName", None, (m.group(1) or m.group(2)).lower(), m.group(0))
            for m in _CSI_DRIVER.finditer(text)
        ]
    return out


def unapplied_objects(text: str) -> list[Mention]:
    """Objects a Flux Kustomization says it could not build or apply: ``'ns/name' Secret data`` of a
    decryption failure, ``Kind/ns/name dry-run failed``."""
    text = clip(text)
    out = [Mention(m.group(3), m.group(1), m.group(2), m.group(0)) for m in _UNAPPLIED[0].finditer(text)]
    out += [Mention(m.group(1), m.group(2), m.group(3), m.group(0)) for m in _UNAPPLIED[1].finditer(text)]
    return out


def admission_unanswered(text: str) -> str | None:
    """The words when a create failed because admission could not finish (a webhook that does not answer),
    as opposed to a refusal (``exceeded quota``, ``denied the request``)."""
    m = _ADMISSION_UNANSWERED.search(clip(text))
    return m.group(0) if m else None


def lookup_unanswered(text: str) -> str | None:
    """The words when a name lookup got no answer from the DNS server (``getaddrinfo EAI_AGAIN x``,
    ``Temporary failure in name resolution``): the resolver, not the name, failed."""
    m = net_errors.LOOKUP_UNANSWERED.search(clip(text))
    return m.group(0) if m else None


def lookup_readings(text: str) -> tuple[str | None, list[tuple[str, str, str]]]:
    """What a text says about name lookups nobody answered, asking once whether one went unanswered:

    - like :func:`lookup_unanswered`, the words for a lookup a pod made through the cluster DNS: not when the
      text names the resolver it asked (that address is linked as written), and not for image pulls (the
      node's runtime resolves registries through the node's own resolver);
    - (name, resolver address, words) for each ``lookup <name> on <resolver>:53`` in a text that says the
      lookup got no answer (``i/o timeout``, ``server misbehaving``); an answer (``no such host``) names
      nothing."""
    text = clip(text)
    lowered = text.lower()
    if not any(word in lowered for word in _UNANSWERED_WORDS):
        return None, []
    unanswered = net_errors.LOOKUP_UNANSWERED.search(text)
    if unanswered is None:
        return None, []
    named = [
        (m.group(1).lower().rstrip("."), m.group(2).lower(), m.group(0))
        for m in net_errors.NAMED_LOOKUP.finditer(text)
    ]
    if net_errors.NAMED_RESOLVER.search(text) or net_errors.IMAGE_PULL.search(text):
        return None, named
    return unanswered.group(0), named


def says_artifact_missing(text: str) -> str | None:
    """The words when a Flux object says its source has no artifact (the link then goes to its sourceRef)."""
    text = clip(text)
    if "fact" not in text.lower():  # every phrase says "artifact"
        return None
    m = _ARTIFACT.search(text)
    return m.group(0) if m else None


def registry_of(image: str) -> str:
    """The registry host of an image reference, normalised as the checks do (Docker Hub → ``docker.io``)."""
    return refs.registry_host(image)


def url_host(url: str) -> str | None:
    """Host of ``https://h:1/x``, ``ssh://git@h/x``, ``git@h:org/repo``, ``h:2049``; None when there is none.
    One reading with the checks (``k8s/refs.py``), so both name the same ``ExternalHost``."""
    return refs.url_host(url)
