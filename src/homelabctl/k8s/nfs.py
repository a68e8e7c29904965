"""NFS shares a pod mounts inline (``volumes[].nfs``); PersistentVolumes' shares are read by ``refs.nfs_share``."""

from __future__ import annotations

from homelabctl.k8s._raw import Obj, mapping, mappings, text
from homelabctl.k8s.pods import pod_spec
from homelabctl.k8s.refs import NfsShare, strip_port


def inline_shares(pod: Obj) -> list[tuple[str, NfsShare]]:
    """(volume name, share) for each ``nfs:`` volume of the pod that names a server."""
    found = []
    for volume in mappings(pod_spec(pod).get("volumes")):
        inline = mapping(volume.get("nfs"))
        server = text(inline.get("server"))
        if server:
            found.append((text(volume.get("name")), NfsShare(strip_port(server), text(inline.get("path")))))
    return found
