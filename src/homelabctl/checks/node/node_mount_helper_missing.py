from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check, first_pod_lines
from homelabctl.k8s import mount_helpers
from homelabctl.model import Finding, Layer, Lifecycle, Severity

CLIENT_PACKAGES = {"nfs": "nfs-common (Debian/Ubuntu) or nfs-utils", "cifs": "cifs-utils"}


@check(
    "node-mount-helper-missing",
    layer=Layer.NODE,
    severity=Severity.CRITICAL,
    requires=[kinds.EVENT, kinds.POD],
    uses=[kinds.NODE],
    lifecycle=Lifecycle.PREVIEW,
)
def node_mount_helper_missing(ctx: CheckContext) -> Iterator[Finding]:
    """Node without the client a network filesystem needs: its pods' NFS or CIFS mounts fail there.

    Reads the kubelet's ``FailedMount`` events for util-linux's answer when ``/sbin/mount.<type>`` does not
    exist on the host: ``mount: ...: bad option; for several filesystems (e.g. nfs, cifs) you might need a
    /sbin/mount.<type> helper program``, with the filesystem type from the mount command the error quotes
    (``mount -t nfs ...``). One finding per node and filesystem type, naming the pods that wait.

    Why it matters: the kubelet mounts NFS and CIFS volumes (and Longhorn's ReadWriteMany volumes, served by
    an NFS share manager) with the host's own client. A node installed or reinstalled without it fails every
    such mount while the same volumes mount on the other nodes; the pods stay in ``ContainerCreating``
    there, which looks like a storage failure and is a host package.

    Next step: install the client on the node (``nfs-common`` on Debian and Ubuntu, ``nfs-utils`` on
    RHEL-likes; ``cifs-utils`` for CIFS), then delete the waiting pods so their mounts are retried at once.
    """
    for (node, fs_type), listed in sorted(mount_helpers.refused_by_node(ctx.index).items()):
        evidence = first_pod_lines(
            (f"pod {r.pod.namespace}/{r.pod.name}: {r.line} (x{r.count})" for r in listed), len(listed)
        )
        what = f"{fs_type} " if fs_type else "network filesystem "
        package = CLIENT_PACKAGES.get(fs_type, "the filesystem's client package")
        yield ctx.finding(
            ctx.node(node),
            f"Node {node} has no {what}mount helper (/sbin/mount.{fs_type or '<type>'}): {len(listed)} pod(s) "
            "cannot mount their volumes there",
            evidence=evidence,
            hint=f"Install {package} on {node}, then delete the waiting pods so their mounts are retried",
        )
