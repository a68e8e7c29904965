"""References between objects, and to hosts outside the cluster, read the way the controllers read them.

Shared by the checks and the diagnosis engine so that both name the same host, registry or endpoint for the
same text: the registry of an image reference, the host of a URL or of an NFS volume, the ready addresses of
a Service (from its EndpointSlices, else its Endpoints), and the classes of pull, mount, fetch and webhook
failures found in kubelet, containerd, source-controller and API server messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import msgspec

from homelabctl import kinds
from homelabctl.k8s import services
from homelabctl.lazyre import LazyPattern
from homelabctl.model import ObjectRef, Resource
from homelabctl.selectors import from_spec
from homelabctl.sources.index import ClusterIndex

EXTERNAL_HOST = "ExternalHost"
"""Pseudo-kind of an object outside the cluster (an NFS server, a registry, a git host): namespace None."""

DOCKER_HUB = "docker.io"
_DOCKER_HUB_ALIASES = frozenset(
    {"docker.io", "registry-1.docker.io", "index.docker.io", "registry.hub.docker.com"}
)
SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def external_host(host: str) -> ObjectRef:
    return ObjectRef(EXTERNAL_HOST, None, host)


# -- hosts -----------------------------------------------------------------------------------------------------
def strip_port(host: str) -> str:
    """``registry.local:5000`` → ``registry.local``; ``[fd00::1]:5000`` → ``fd00::1``; lower-cased."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


def registry_host(image: str) -> str:
    """The registry an image reference is pulled from, as containerd resolves it.

    ``nginx``, ``library/nginx``, ``docker.io/...``, ``registry-1.docker.io/...`` → ``docker.io``; otherwise the
    first path element when it holds a ``.`` or ``:`` or is ``localhost`` (without its port).
    """
    ref = image.strip()
    for prefix in ("docker://", "oci://", "https://", "http://"):
        if ref.lower().startswith(prefix):
            ref = ref[len(prefix) :]
    first, slash, _ = ref.partition("/")
    if not slash:
        return DOCKER_HUB
    if "." in first or ":" in first or first == "localhost":
        host = strip_port(first)
        return DOCKER_HUB if host in _DOCKER_HUB_ALIASES else host
    return DOCKER_HUB


_SCP_LIKE = LazyPattern(r"^(?:[^@/\s]+@)?([^:/\s]+):(?!\d+(?:/|$))")


def url_host(url: str) -> str | None:
    """The hostname of a URL (``https://``, ``ssh://git@host:22/x``, ``oci://``, ``s3://``) or of an scp-like
    git address (``git@github.com:org/repo``); a bare ``host:port`` endpoint gives its host. None when empty."""
    text = url.strip()
    if not text:
        return None
    if "://" in text:
        try:
            host = urlsplit(text).hostname
        except ValueError:
            return None
        return host.lower().rstrip(".") or None if host else None
    scp = _SCP_LIKE.match(text)
    if scp and "/" in text:
        return scp.group(1).lower()
    return strip_port(text.split("/", 1)[0]) or None


# -- NFS -------------------------------------------------------------------------------------------------------
class NfsShare(msgspec.Struct, frozen=True):
    server: str
    path: str


def nfs_share(pv: Resource) -> NfsShare | None:
    """The NFS server and export of a PersistentVolume: in-tree ``spec.nfs`` or an NFS CSI driver's
    ``volumeAttributes`` (``server`` and ``share``/``path``, as csi-driver-nfs writes them)."""
    nfs = pv.spec.get("nfs")
    if isinstance(nfs, Mapping) and nfs.get("server"):
        return NfsShare(strip_port(str(nfs["server"])), str(nfs.get("path") or ""))
    csi = pv.spec.get("csi")
    if isinstance(csi, Mapping) and "nfs" in str(csi.get("driver") or "").lower():
        attrs = csi.get("volumeAttributes")
        if isinstance(attrs, Mapping) and attrs.get("server"):
            return NfsShare(
                strip_port(str(attrs["server"])), str(attrs.get("share") or attrs.get("path") or "")
            )
    return None


_NFS_MOUNT_ARGS = LazyPattern(r"-t nfs4?\b(?:\s+-o\s+\S+)?\s+\[?([^\s\]:]+(?::[^\s\]/]+)*)\]?:(/\S*)")
_NFS_WHILE_MOUNTING = LazyPattern(r"while mounting \[?([^\s\]]+?)\]?:(/\S*)")


def nfs_server_in_message(message: str) -> str | None:
    """The server a failed kubelet NFS mount was talking to, from ``Mounting arguments: -t nfs SERVER:/path``
    or ``mount.nfs: access denied by server while mounting SERVER:/path``."""
    for pattern in (_NFS_MOUNT_ARGS, _NFS_WHILE_MOUNTING):
        match = pattern.search(message)
        if match:
            return match.group(1).lower()
    return None


NFS_FAILURES: tuple[tuple[str, str], ...] = (
    ("connection timed out", "the server does not answer (connection timed out)"),
    ("no route to host", "no route to the server"),
    ("connection refused", "the server refuses NFS connections"),
    ("host is down", "the server is down"),
    ("access denied by server", "the server denies the export to this node"),
    (
        "requested nfs version or transport protocol is not supported",
        "the server does not offer this NFS version",
    ),
    ("no such file or directory", "the export path does not exist on the server"),
    ("operation not permitted", "the server refused the mount"),
    ("name or service not known", "the server's name does not resolve"),
    ("failed to resolve server", "the server's name does not resolve"),
)


def nfs_failure(message: str) -> str | None:
    """Why an NFS mount failed on the server's side, from the ``mount.nfs:`` output; None when it is not one."""
    lowered = message.lower()
    if "nfs" not in lowered:
        return None
    for needle, meaning in NFS_FAILURES:
        if needle in lowered:
            return meaning
    return None


# -- image pulls -----------------------------------------------------------------------------------------------
RATE_LIMITED = "rate-limited"
SERVER_ERROR = "server error"
TLS_ERROR = "TLS error"
UNREACHABLE = "unreachable"
UNAUTHORIZED = "unauthorized"
NOT_FOUND = "not found"
MALFORMED = "invalid reference"
HOST_SIDE_PULL_FAILURES = frozenset({RATE_LIMITED, SERVER_ERROR, TLS_ERROR, UNREACHABLE})
"""Failures of the registry (or the way to it), shared by every pod pulling from it; the others are per pod."""

_PULL_PATTERNS: tuple[tuple[str, LazyPattern], ...] = (
    (
        RATE_LIMITED,
        LazyPattern(r"toomanyrequests|429 too many requests|pull rate limit|rate limit exceeded", re.I),
    ),
    (
        SERVER_ERROR,
        LazyPattern(
            r"\b50[0234]\b[ \w]*(?:internal server error|bad gateway|service unavailable|"
            r"gateway time-?out)|unexpected (?:http )?status(?: code)?:? [^:]*\b5\d\d\b",
            re.I,
        ),
    ),
    (
        TLS_ERROR,
        LazyPattern(
            r"x509:|tls: failed to verify|certificate signed by unknown authority|"
            r"certificate has expired|server gave http response to https client",
            re.I,
        ),
    ),
    (
        UNREACHABLE,
        LazyPattern(
            r"no such host|i/o timeout|connection refused|network is unreachable|no route to host|"
            r"tls handshake timeout|connection reset by peer|dial tcp|context deadline exceeded|"
            r"temporary failure in name resolution",
            re.I,
        ),
    ),
    (
        UNAUTHORIZED,
        LazyPattern(
            r"\b401 unauthorized|\b403 forbidden|unauthorized|authentication required|"
            r"access denied|insufficient_scope|denied: ",
            re.I,
        ),
    ),
    (
        NOT_FOUND,
        LazyPattern(
            r"not found|manifest unknown|no such manifest|repository does not exist|"
            r"name unknown",
            re.I,
        ),
    ),
    (MALFORMED, LazyPattern(r"invalid reference format|couldn't parse image|InvalidImageName", re.I)),
)


def pull_failure(message: str) -> str | None:
    """The class of an image pull failure from the kubelet/containerd message, most specific first."""
    for name, pattern in _PULL_PATTERNS:
        if pattern.search(message):
            return name
    return None


# -- Flux sources ----------------------------------------------------------------------------------------------
SOURCE_AUTH = "authentication failed"
SOURCE_HOST_KEY = "SSH host key mismatch"
SOURCE_NOT_FOUND = "repository not found"
SOURCE_DNS = "host name does not resolve"
SOURCE_UNREACHABLE = "host unreachable"
SOURCE_TLS = "TLS error"

_SOURCE_PATTERNS: tuple[tuple[str, LazyPattern], ...] = (
    (
        SOURCE_HOST_KEY,
        LazyPattern(
            r"knownhosts: key mismatch|knownhosts: key is unknown|"
            r"hostkey could not be verified|host key verification failed",
            re.I,
        ),
    ),
    (
        SOURCE_AUTH,
        LazyPattern(
            r"authentication required|unable to authenticate|permission denied|"
            r"invalid username or password|could not read username|\b401\b|\b403\b|"
            r"authorization failed|access denied|unauthorized|invalid credentials|"
            r"the security token included in the request is invalid|signaturedoesnotmatch|"
            r"invalidaccesskeyid",
            re.I,
        ),
    ),
    (
        SOURCE_NOT_FOUND,
        LazyPattern(
            r"repository not found|remote repository is empty|couldn't find remote ref|"
            r"\b404\b|nosuchbucket|name unknown",
            re.I,
        ),
    ),
    (SOURCE_DNS, LazyPattern(r"no such host|temporary failure in name resolution|server misbehaving", re.I)),
    (SOURCE_TLS, LazyPattern(r"x509:|tls: |certificate signed by unknown authority", re.I)),
    (
        SOURCE_UNREACHABLE,
        LazyPattern(
            r"i/o timeout|connection refused|connection timed out|network is unreachable|"
            r"no route to host|context deadline exceeded|connection reset by peer|"
            r"handshake failed: (?:eof|read tcp)",
            re.I,
        ),
    ),
)


def source_failure(message: str) -> str | None:
    """Why a Flux source could not fetch (authentication, host key, not found, DNS, TLS, unreachable)."""
    for name, pattern in _SOURCE_PATTERNS:
        if pattern.search(message):
            return name
    return None


# -- names in messages -----------------------------------------------------------------------------------------
_WEBHOOK_RE = LazyPattern(r'failed calling webhook \\?"([^"\\]+)\\?"')
_STORAGE_CLASS_RE = LazyPattern(r'storageclass(?:\.storage\.k8s\.io)? \\?"([^"\\]+)\\?" not found', re.I)
HELM_LOCKED = "another operation (install/upgrade/rollback) is in progress"


def webhooks_in_message(message: str) -> list[str]:
    """Webhook names from the API server's ``failed calling webhook "name"``, in order, once each."""
    return list(dict.fromkeys(_WEBHOOK_RE.findall(message)))


def storage_class_in_message(message: str) -> str | None:
    """``storageclass.storage.k8s.io "fast" not found`` (persistentvolume-controller) → ``fast``."""
    match = _STORAGE_CLASS_RE.search(message)
    return match.group(1) if match else None


# -- Services and their endpoints ------------------------------------------------------------------------------
class Endpoint(msgspec.Struct, frozen=True):
    address: str
    ready: bool
    pod: str | None
    """Name of the pod behind the address (``targetRef`` of kind Pod), when the controller recorded it."""
    node: str | None
    portless: bool = False
    """Listed only in slices that carry none of the Service's ports (a named targetPort the pod lacks): kube-proxy
    sends it nothing."""


class ServiceEndpoints(msgspec.Struct, frozen=True):
    """What the endpoint controllers published for one Service. ``source`` is the kind read."""

    source: str
    endpoints: tuple[Endpoint, ...]
    objects: int = 0
    """How many EndpointSlice/Endpoints objects were found for the Service (0: none in the data)."""

    @property
    def ready(self) -> list[Endpoint]:
        """Ready addresses that serve at least one of the Service's ports."""
        return [e for e in self.endpoints if e.ready and not e.portless]

    @property
    def not_ready(self) -> list[Endpoint]:
        return [e for e in self.endpoints if not e.ready]

    @property
    def portless(self) -> list[Endpoint]:
        """Ready addresses listed without any of the Service's ports."""
        return [e for e in self.endpoints if e.ready and e.portless]

    def summary(self) -> str:
        """``EndpointSlice: 0 ready, 2 not ready (10.42.1.7 pod coredns-5b9d-x7k2p, ...)``."""
        text = f"{self.source}: {len(self.ready)} ready, {len(self.not_ready)} not ready"
        shown = [f"{e.address}" + (f" pod {e.pod}" if e.pod else "") for e in self.not_ready[:3]]
        text += f" ({', '.join(shown)})" if shown else ""
        if self.portless:
            listed = ", ".join(f"{e.address}" + (f" pod {e.pod}" if e.pod else "") for e in self.portless[:3])
            text += f", {len(self.portless)} ready but listed with none of the Service's ports ({listed})"
        return text


def _target_pod(ref: Any) -> str | None:
    if isinstance(ref, Mapping) and ref.get("kind") == "Pod" and ref.get("name"):
        return str(ref["name"])
    return None


def _slice_port_names(eps: Resource) -> set[str]:
    raw = eps.raw.get("ports")
    return (
        {str(p.get("name") or "") for p in raw if isinstance(p, Mapping)} if isinstance(raw, list) else set()
    )


def _from_slices(slices: Sequence[Resource], wanted: frozenset[str] = frozenset()) -> tuple[Endpoint, ...]:
    """Endpoints of the slices; with ``wanted`` (the Service's port names), an address listed only in slices that
    carry none of them is ``portless`` (the endpoint controllers group a pod lacking a named targetPort apart)."""
    found: dict[tuple[str, bool], Endpoint] = {}
    for eps in slices:
        portless = bool(wanted) and not (_slice_port_names(eps) & wanted)
        items = eps.raw.get("endpoints")
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, Mapping):
                continue
            raw_conditions = item.get("conditions")
            conditions: Mapping[str, Any] = raw_conditions if isinstance(raw_conditions, Mapping) else {}
            # The API: a nil ready condition means ready; terminating endpoints are never ready.
            ready = conditions.get("ready") is not False and conditions.get("terminating") is not True
            for address in item.get("addresses") or []:
                endpoint = Endpoint(
                    str(address),
                    ready,
                    _target_pod(item.get("targetRef")),
                    str(item["nodeName"]) if item.get("nodeName") else None,
                    portless,
                )
                known = found.get((endpoint.address, ready))
                if known is None or (known.portless and not portless):
                    found[(endpoint.address, ready)] = endpoint
    return tuple(found.values())


def _from_endpoints(endpoints: Resource) -> tuple[Endpoint, ...]:
    found: list[Endpoint] = []
    subsets = endpoints.raw.get("subsets")
    for subset in subsets if isinstance(subsets, list) else []:
        if not isinstance(subset, Mapping):
            continue
        for key, ready in (("addresses", True), ("notReadyAddresses", False)):
            for addr in subset.get(key) or []:
                if isinstance(addr, Mapping) and addr.get("ip"):
                    found.append(
                        Endpoint(
                            str(addr["ip"]),
                            ready,
                            _target_pod(addr.get("targetRef")),
                            str(addr["nodeName"]) if addr.get("nodeName") else None,
                        )
                    )
    return tuple(found)


def endpoint_slices(index: ClusterIndex, namespace: str | None, service: str) -> list[Resource]:
    selector = from_spec({SERVICE_NAME_LABEL: service})
    return index.select(kinds.ENDPOINT_SLICE, namespace, selector)


def service_endpoints(
    index: ClusterIndex, service: Resource, *, slices_read: bool, endpoints_read: bool
) -> ServiceEndpoints | None:
    """The Service's endpoints from its EndpointSlices when that kind was read, else from its Endpoints
    object; None when neither kind was read (nothing can be said). A kind read but holding nothing for the
    Service means no endpoints: the controllers publish an empty slice/Endpoints for a Service with none."""
    if slices_read:
        slices = endpoint_slices(index, service.namespace, service.name)
        wanted = frozenset(p.name for p in services.ports(service))
        return ServiceEndpoints("EndpointSlice", _from_slices(slices, wanted), len(slices))
    if endpoints_read:
        found = index.get(kinds.ENDPOINTS, service.namespace, service.name)
        return ServiceEndpoints(
            "Endpoints", _from_endpoints(found) if found is not None else (), 0 if found is None else 1
        )
    return None


def without_ready_endpoint(index: ClusterIndex, service: Resource, state: ServiceEndpoints | None) -> bool:
    """True when the Service has no ready address. A capture without any slice/Endpoints object for a
    Service whose pods are Ready is incomplete, not a dead Service: that case is False (nothing known)."""
    if state is None or state.ready:
        return False
    if state.objects:
        return True
    return not any(_pod_ready(p) for p in service_pods(index, service))


def _pod_ready(pod: Resource) -> bool:
    return pod.is_condition_true("Ready") is True


def selects_pods(service: Resource) -> bool:
    """A Service whose endpoints the controllers manage: it has a selector and is not ExternalName."""
    selector = service.spec.get("selector")
    return service.spec.get("type") != "ExternalName" and isinstance(selector, Mapping) and bool(selector)


def service_pods(index: ClusterIndex, service: Resource) -> list[Resource]:
    """Pods the Service's selector matches (the live ones the endpoint controller would consider)."""
    if not selects_pods(service):
        return []
    return [
        p
        for p in index.select(kinds.POD, service.namespace, from_spec(service.spec.get("selector")))
        if not p.deletion_timestamp and p.status.get("phase") not in ("Succeeded", "Failed")
    ]


def service_names(service: Resource) -> list[str]:
    """The names and addresses other pods use to reach a Service: ``svc.ns.svc.cluster.local``, ``svc.ns``,
    its ClusterIP(s). Longest first, so a search matches the most specific form."""
    names = [
        f"{service.name}.{service.namespace}.svc.cluster.local",
        f"{service.name}.{service.namespace}.svc",
        f"{service.name}.{service.namespace}",
    ]
    ips = service.spec.get("clusterIPs") or [service.spec.get("clusterIP")]
    names += [str(ip) for ip in ips if ip and ip != "None"]
    return names


def scaled_to_zero(index: ClusterIndex, service: Resource) -> Resource | None:
    """The Deployment or StatefulSet behind a Service that was deliberately scaled to ``replicas: 0``, or the
    DaemonSet whose node selector matches no node (``desiredNumberScheduled: 0``)."""
    selector = from_spec(service.spec.get("selector")) if selects_pods(service) else None
    if selector is None:
        return None
    for gk in (kinds.DEPLOYMENT, kinds.STATEFULSET, kinds.DAEMONSET):
        for workload in index.all(gk):
            idle = (
                workload.status.get("desiredNumberScheduled") == 0
                if workload.kind == "DaemonSet"
                else workload.spec.get("replicas") == 0
            )
            if workload.namespace != service.namespace or not idle:
                continue
            template = workload.spec.get("template")
            labels = (
                ((template or {}).get("metadata") or {}).get("labels")
                if isinstance(template, Mapping)
                else None
            )
            if isinstance(labels, Mapping) and selector.matches(labels):
                return workload
    return None
