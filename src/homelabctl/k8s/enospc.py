"""``no space left on device`` in what a container left behind, and the volume that path is on."""

from __future__ import annotations

from collections.abc import Iterable

from homelabctl.k8s.pods import VolumeMount
from homelabctl.lazyre import LazyPattern

NO_SPACE = "no space left on device"
_ABSOLUTE_PATH = LazyPattern(r"(/[^\s'\":,;()\[\]]+)")


def full_paths(message: str) -> list[str]:
    """The absolute paths a message says could not be written for lack of space, in order: the last path
    before each ``no space left on device`` (``open /prometheus/wal/00001847: no space left on device``).
    A relative path (PostgreSQL's ``could not write to file "pg_wal/xlogtemp.31"``) names no mount."""
    found: list[str] = []
    lowered = message.lower()
    start = 0
    while (at := lowered.find(NO_SPACE, start)) >= 0:
        line_start = lowered.rfind("\n", 0, at) + 1
        paths = _ABSOLUTE_PATH.findall(message[line_start:at])
        if paths and paths[-1] not in found:
            found.append(paths[-1])
        start = at + len(NO_SPACE)
    return found


def line_with(message: str, path: str) -> str:
    """The line of ``message`` that says ``path`` is out of space."""
    for line in message.splitlines():
        if path in line and NO_SPACE in line.lower():
            return line.strip()
    return ""


def mount_of(path: str, mounts: Iterable[VolumeMount]) -> VolumeMount | None:
    """The mount ``path`` lies under: the longest mountPath that is the path or one of its parents."""
    best: VolumeMount | None = None
    for mount in mounts:
        root = mount.mount_path.rstrip("/")
        if (path == root or path.startswith(root + "/")) and (
            best is None or len(root) > len(best.mount_path.rstrip("/"))
        ):
            best = mount
    return best
