"""The cluster DNS: the Service every pod's resolv.conf points at."""

from __future__ import annotations

from homelabctl import kinds
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
