"""Cause rule ``nfs-server-down``."""

from __future__ import annotations

from homelabctl.diagnose.context import Explanation, RuleContext
from homelabctl.diagnose.model import NextStep
from homelabctl.diagnose.registry import cause_rule
from homelabctl.model import Finding, Layer


@cause_rule("nfs-server-down", layer=Layer.STORAGE, rank=0, causes={"nfs-server-unreachable"})
def nfs_server_down(ctx: RuleContext, cause: Finding) -> Explanation | None:
    """An NFS server that does not answer is one cause for every volume it serves and every pod mounting them.

    The PVs whose ``spec.nfs.server`` (or CSI ``volumeAttributes.server``) is that host, their claims and
    the pods stuck ContainerCreating on ``mount.nfs: Connection timed out`` are grouped under it. Check the
    server before the cluster: exports, firewall, and whether the NAS went to sleep.
    """
    host = cause.object.name
    return Explanation(
        set(),
        f"{cause.message}: every volume served by {host} is unavailable",
        list(cause.evidence),
        [
            NextStep("ask the server for its exports from a node", f"showmount -e {host}"),
            NextStep(
                "check the NFS ports are open from the nodes (2049, and 111 for NFSv3)", f"rpcinfo -p {host}"
            ),
        ],
    )
