from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import msgspec

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.storage._common import event_count, event_time, pod_claims
from homelabctl.checks.storage.failed_mount_events import MOUNT_REASONS
from homelabctl.checks.workload._common import first_lines
from homelabctl.k8s import events, nfs, refs, storage
from homelabctl.k8s import pods as k8s_pods
from homelabctl.kube import pod_is_finished, pod_is_ready
from homelabctl.model import Finding, Layer, Resource, Severity

MAX_PODS = 5


class _Server(msgspec.Struct):
    pods: list[str] = msgspec.field(default_factory=list)
    nodes: set[str] = msgspec.field(default_factory=set)
    volumes: set[str] = msgspec.field(default_factory=set)
    failures: dict[str, int] = msgspec.field(default_factory=dict)
    quote: str = ""


def nfs_volumes_of(ctx: CheckContext, pod: Resource) -> list[tuple[str, refs.NfsShare]]:
    """(volume label, share) for the pod's NFS volumes: inline ``nfs:`` volumes and claims bound to NFS PVs."""
    found: list[tuple[str, refs.NfsShare]] = []
    found += [(f"inline volume {name}", share) for name, share in nfs.inline_shares(pod)]
    for claim_name in pod_claims(pod):
        claim = ctx.index.get(kinds.PVC, pod.namespace, claim_name)
        pv = ctx.index.get(kinds.PV, None, storage.claim(claim).volume_name) if claim is not None else None
        share = refs.nfs_share(pv) if pv is not None else None
        if pv is not None and share is not None:
            found.append((f"PV {pv.name}", share))
    return found


@check(
    "nfs-server-unreachable",
    layer=Layer.STORAGE,
    severity=Severity.CRITICAL,
    requires=[kinds.EVENT],
    uses=[kinds.POD, kinds.PVC, kinds.PV],
)
def nfs_server_unreachable(ctx: CheckContext) -> Iterator[Finding]:
    """NFS server fails the mounts of the volumes it serves (timeouts, refusals, access denied).

    Reads Warning ``FailedMount`` events on pods whose message is an NFS mount failure on the server's
    side - ``mount.nfs: Connection timed out``, ``No route to host``, ``Connection refused``, ``access
    denied by server while mounting``, an unsupported NFS version or a missing export - and finds the
    server from the kubelet's ``Mounting arguments: -t nfs SERVER:/path``, else from the pod's NFS volumes
    (inline ``nfs:`` volumes, PVs with ``spec.nfs`` or an NFS CSI driver's ``volumeAttributes.server``).
    One finding per server, on the pseudo-object ``ExternalHost <server>``, listing the pods, nodes and
    volumes affected. Pods that are Ready again or gone are skipped.

    Why it matters: one NAS going away leaves every pod that mounts it in ContainerCreating across all
    nodes; the per-pod mount errors (``failed-mount-events``) are symptoms of this one cause.

    Next step: from an affected node, ``showmount -e SERVER`` and ``rpcinfo -p SERVER``; check the NAS is up,
    its NFS service runs and the export allows the nodes' addresses.
    """
    servers: dict[str, _Server] = defaultdict(_Server)
    pods_known = ctx.readable(kinds.POD)
    for event in sorted(ctx.index.all(kinds.EVENT), key=event_time, reverse=True):
        read = events.event(event)
        involved_kind, involved_namespace, involved_name = read.involved
        if read.reason not in MOUNT_REASONS or read.type != "Warning" or involved_kind != "Pod":
            continue
        message = read.message
        failure = refs.nfs_failure(message)
        if failure is None:
            continue
        namespace, name = involved_namespace or event.namespace, involved_name
        pod = ctx.index.get(kinds.POD, namespace, name)
        if pods_known and (pod is None or pod_is_ready(pod) or pod_is_finished(pod)):
            continue
        shares = nfs_volumes_of(ctx, pod) if pod is not None else []
        server = refs.nfs_server_in_message(message)
        if server is None and shares:
            server = shares[0][1].server
        if server is None:
            continue
        entry = servers[refs.strip_port(server)]
        label = f"{namespace}/{name}"
        if label not in entry.pods:
            entry.pods.append(label)
        entry.failures[failure] = entry.failures.get(failure, 0) + event_count(event)
        entry.quote = entry.quote or first_lines(message, lines=6, width=300)
        node = (k8s_pods.node_name(pod) if pod is not None else None) or read.source_host
        if node:
            entry.nodes.add(node)
        entry.volumes.update(
            f"{what} ({share.server}:{share.path})"
            for what, share in shares
            if share.server == refs.strip_port(server)
        )
    for host, entry in sorted(servers.items()):
        reasons = sorted(entry.failures, key=lambda r: -entry.failures[r])
        evidence = [
            "mount failures: " + ", ".join(f"{r} (x{entry.failures[r]})" for r in reasons),
            f"kubelet: {entry.quote}",
        ]
        evidence += [f"pod {p} cannot mount" for p in entry.pods[:MAX_PODS]]
        if len(entry.pods) > MAX_PODS:
            evidence.append(f"… and {len(entry.pods) - MAX_PODS} more pods")
        if entry.volumes:
            evidence.append("volumes: " + ", ".join(sorted(entry.volumes)[:5]))
        nodes = sorted(entry.nodes)
        if nodes:
            evidence.append("from nodes: " + ", ".join(nodes))
        yield ctx.finding(
            refs.external_host(host),
            f"NFS server {host} fails mounts ({reasons[0]}): {len(entry.pods)} pod(s) cannot start",
            evidence=evidence,
            hint=(
                f"From {nodes[0] if nodes else 'an affected node'}: `showmount -e {host}` and `rpcinfo -p {host}`; "
                f"check {host} is up, its NFS service runs and its exports allow the nodes"
            ),
        )
