from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check, first_pod_lines
from homelabctl.k8s import datastore_errors
from homelabctl.kube import node_is_control_plane, node_is_k3s
from homelabctl.model import Finding, Layer, Lifecycle, ObjectRef, Resource, Severity

MIN_CONTROLLERS = 2


@check(
    "control-plane-datastore-slow",
    layer=Layer.NODE,
    severity=Severity.CRITICAL,
    requires=[kinds.POD],
    uses=[kinds.NODE],
    lifecycle=Lifecycle.PREVIEW,
)
def control_plane_datastore_slow(ctx: CheckContext) -> Iterator[Finding]:
    """The API server's datastore failing writes: controllers of several workloads quote etcd's errors.

    Reads the containers' current state and their last termination (of the last two hours) for etcd's errors
    as the API server passes them on: ``etcdserver: request timed out``, ``etcdserver: leader changed``,
    ``etcdserver: no leader``, ``etcdserver: too many requests``. Fires when pods of at least two different
    controllers quote them: no single workload is at fault. The finding is on the control-plane node when
    there is exactly one (a single K3s server runs the datastore the API server writes to), else on the
    cluster.

    Why it matters: every controller renews its leader-election lease by a write; when the datastore cannot
    commit writes in time (etcd on a disk whose fsync stalls, a server overloaded), leases expire, controllers
    exit with ``leader election lost`` and restart in a loop on every node, and nodes flap NotReady. The
    controllers' restarts are the symptoms; restarting them does not help.

    Next step: on the server, read the datastore's own complaints (K3s: ``journalctl -u k3s | grep -E 'slow
    fdatasync|apply request took too long'``) and the disk's latency; move etcd to a disk with fast fsync, or
    free the server of other load.
    """
    errors = datastore_errors.datastore_errors(ctx.index, ctx.now)
    controllers = {
        ctx.index.top_owner(pod).ref
        for e in errors
        if (pod := ctx.index.get(kinds.POD, e.pod.namespace, e.pod.name))
    }
    if len(controllers) < MIN_CONTROLLERS:
        return
    servers = sorted((n for n in ctx.index.all(kinds.NODE) if node_is_control_plane(n)), key=lambda n: n.name)
    nodes = sorted({e.node for e in errors if e.node})
    evidence = first_pod_lines(
        (f"pod {e.pod.namespace}/{e.pod.name} on {e.node or '?'}: {e.line}" for e in errors), len(errors)
    )
    if len(servers) == 1:
        server = servers[0]
        where: Resource | ObjectRef = server
        evidence.append(
            f"{server.name} is the only control-plane node: the API server writes to its datastore"
        )
        unit = "k3s" if node_is_k3s(server) else "etcd"
        hint = (
            f"On {server.name}, read the datastore's complaints (`journalctl -u {unit} | grep -E 'slow fdatasync|took "
            "too long'`) and the disk's fsync latency; move etcd to a faster disk or free the server of other load"
        )
    else:
        where = ObjectRef("Cluster", None, "cluster")
        hint = "On each control-plane node, read etcd's complaints ('slow fdatasync', 'took too long') and disk latency"
    yield ctx.finding(
        where,
        f"The control plane's datastore is failing writes: {len(controllers)} controller(s) on {len(nodes)} node(s) "
        "quote etcd timeouts and lose their leases",
        evidence=evidence,
        hint=hint,
    )
