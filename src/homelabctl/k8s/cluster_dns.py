"""The cluster DNS: the Service every pod's resolv.conf points at."""

from __future__ import annotations

import ipaddress
import re

from homelabctl import kinds
from homelabctl.k8s.kubectl import pod_template_spec
from homelabctl.lazyre import LazyPattern
from homelabctl.model import Resource
from homelabctl.selectors import from_spec
from homelabctl.sources.index import ClusterIndex

DNS_LABEL = ("k8s-app", "kube-dns")
"""The label kubeadm, K3s and the CoreDNS chart put on the cluster DNS Service and pods."""


def dns_services(index: ClusterIndex) -> list[Resource]:
    """``kube-system/kube-dns`` (kubeadm, K3s), else the Services labelled ``k8s-app=kube-dns``."""
    found = index.get(kinds.SERVICE, "kube-system", "kube-dns")
    if found is not None:
        return [found]
    return index.select(kinds.SERVICE, None, from_spec({DNS_LABEL[0]: DNS_LABEL[1]}))


def _corefile(index: ClusterIndex, service: Resource) -> str:
    """The Corefile of the DNS server behind ``service``: the ConfigMap its ``coredns`` Deployment mounts,
    else ``coredns`` in the Service's namespace."""
    names = []
    deploy = index.get(kinds.DEPLOYMENT, service.namespace, "coredns")
    if deploy is not None:
        for volume in pod_template_spec(deploy).get("volumes") or []:
            config = volume.get("configMap") if isinstance(volume, dict) else None
            if isinstance(config, dict) and config.get("name"):
                names.append(str(config["name"]))
    for name in [*names, "coredns"]:
        config_map = index.get(kinds.CONFIGMAP, service.namespace, name)
        corefile = config_map.data.get("Corefile") if config_map is not None else None
        if isinstance(corefile, str):
            return corefile
    return ""


_FORWARD = LazyPattern(r"^\s*forward\s+\.\s+([^{}\n]+?)\s*(?:\{|$)", re.MULTILINE)


def forward_targets(corefile: str) -> tuple[list[str], str]:
    """(upstream hosts, the line) of the first ``forward .`` of a Corefile, without scheme or port."""
    m = _FORWARD.search(corefile[:65536])
    if m is None:
        return [], ""
    hosts = []
    for target in m.group(1).split():
        if target.startswith("/"):
            continue
        host = target.removeprefix("dns://").removeprefix("tls://")
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        hosts.append(host)
    return hosts, " ".join(m.group(0).split())


def forward_addresses(index: ClusterIndex, service: Resource) -> list[str]:
    """The IP addresses the cluster DNS forwards every other name to (``forward . 192.168.1.53 1.1.1.1``, with
    or without ``dns://``/``tls://`` and a port); none for ``forward . /etc/resolv.conf`` (the node's resolver,
    which the snapshot does not show)."""
    found: list[str] = []
    for host in forward_targets(_corefile(index, service))[0]:
        address = host.strip("[]")
        try:
            ipaddress.ip_address(address)
        except ValueError:
            continue
        if address not in found:
            found.append(address)
    return found
