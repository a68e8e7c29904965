"""A node's missing mount helper: the host has no client for a network filesystem (``mount.nfs``,
``mount.cifs``), and the kubelet's mounts of that type fail there and nowhere else."""

from __future__ import annotations

from homelabctl.k8s import node_refusals
from homelabctl.k8s.node_refusals import Refused
from homelabctl.lazyre import LazyPattern
from homelabctl.sources.index import ClusterIndex

MOUNT_FAILED = "FailedMount"
_NO_HELPER = LazyPattern(
    # util-linux's mount (2.35+), when /sbin/mount.<type> does not exist on the host:
    # mount: /var/lib/kubelet/...: bad option; for several filesystems (e.g. nfs, cifs) you might need a
    # /sbin/mount.<type> helper program.
    r"you might need a /sbin/mount\.<type> helper program"
)
_FS_TYPE = LazyPattern(r"\bmount -t ([a-z0-9]{2,12})\b")
_MAX_TEXT = 8192


def missing_helper(message: str) -> str | None:
    """The filesystem type a kubelet mount error says the host has no helper for (``nfs``, ``cifs``; ``""``
    when the error does not name it); None when the error is not about a missing helper."""
    text = message[:_MAX_TEXT]
    if not _NO_HELPER.search(text):
        return None
    fs_type = _FS_TYPE.search(text)
    return fs_type.group(1) if fs_type else ""


def refused_by_node(index: ClusterIndex) -> dict[tuple[str, str], list[Refused]]:
    """(node, filesystem type) → the pods whose mounts failed there for want of a helper and that are still not
    Ready, from the kubelet's ``FailedMount`` events."""
    return node_refusals.refused_by_node(index, MOUNT_FAILED, missing_helper, helper_gist)


def helper_gist(message: str) -> str:
    """What the host's mount said (after ``Output:``), without the kubelet's preamble and mount arguments."""
    return message.rpartition("Output:")[2].strip() or message
