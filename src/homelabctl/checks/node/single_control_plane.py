from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.node._common import ETCD_ROLE_LABEL
from homelabctl.checks.registry import CheckContext, check
from homelabctl.kube import node_is_control_plane, node_is_k3s, node_ready_status
from homelabctl.model import Finding, Layer, Nature, Resource, Severity


def _datastore(node: Resource) -> str:
    if ETCD_ROLE_LABEL in node.labels:
        return "embedded etcd (node-role.kubernetes.io/etcd)"
    if node_is_k3s(node):
        return "no etcd role: K3s' default SQLite datastore on this one server"
    return "datastore not visible from the API"


@check(
    "single-control-plane",
    layer=Layer.NODE,
    severity=Severity.WARNING,
    requires=[kinds.NODE],
    nature=Nature.CONFIGURATION,
    areas=["resilience"],
)
def single_control_plane(ctx: CheckContext) -> Iterator[Finding]:
    """Only one control-plane node (or two etcd members, which tolerate no failure either).

    Reads the ``node-role.kubernetes.io/control-plane`` (or ``master``) and ``node-role.kubernetes.io/etcd``
    labels of every node.

    Why it matters: with one server, its loss stops the API, the scheduler, controllers and Flux; running
    pods keep going, but nothing heals. Two embedded-etcd servers are no better: etcd needs a majority, so
    losing either one stops the cluster.

    Next step: add servers to reach three (K3s: ``--cluster-init`` on the first, ``--server`` on the
    others), and until then keep datastore backups (``k3s etcd-snapshot save`` or a copy of
    ``/var/lib/rancher/k3s/server/db``) off the machine.
    """
    nodes = ctx.index.all(kinds.NODE)
    control = sorted((n for n in nodes if node_is_control_plane(n)), key=lambda n: n.name)
    if len(control) == 1:
        server = control[0]
        yield ctx.finding(
            server,
            f"Node {server.name} is the only control-plane node: if it goes down the API, scheduling and "
            "GitOps stop with it",
            evidence=[
                f"control-plane nodes: 1 of {len(nodes)} ({server.name}, Ready={node_ready_status(server)})",
                f"datastore: {_datastore(server)}",
            ],
            hint=(
                "Add two more servers (K3s: `k3s server --cluster-init` on the first, `--server "
                f"https://{server.name}:6443` on the others); meanwhile back up the datastore off the machine "
                "(`k3s etcd-snapshot save`, or /var/lib/rancher/k3s/server/db for SQLite)"
            ),
        )
    elif len(control) == 2 and all(ETCD_ROLE_LABEL in n.labels for n in control):
        yield ctx.finding(
            control[0],
            f"Only two etcd members ({control[0].name}, {control[1].name}): losing either one loses quorum "
            "and stops the API",
            evidence=[f"{n.name}: control-plane, etcd, Ready={node_ready_status(n)}" for n in control],
            hint="Add a third server (`k3s server --server https://<existing>:6443`): three members survive one loss",
        )
