"""upstream-dns-unreachable: the resolver CoreDNS forwards to (and the nodes use) stops answering.

Go resolver errors as Flux and containerd report them (https://github.com/fluxcd/flux2/issues/4411,
https://github.com/kubernetes/kubernetes/issues/105152).
"""

from __future__ import annotations

from factories_dns import dns_forwarding_to as _dns
from factories_dns import sources_failing_lookup as _failing

from helpers import findings


def test_fires_on_the_upstream_coredns_forwards_to() -> None:
    [finding] = findings("upstream-dns-unreachable", [*_dns(), *_failing("github.com", "charts.jetstack.io")])
    assert (finding.object.kind, finding.object.name) == ("ExternalHost", "192.168.10.53")
    assert finding.layer.value == "network"
    assert any("forward . 192.168.10.53" in e for e in finding.evidence)
    assert "charts.jetstack.io, github.com" in finding.evidence[0]


def test_silent_for_one_name_or_when_coredns_itself_is_down() -> None:
    assert findings("upstream-dns-unreachable", [*_dns(), *_failing("github.com")]) == []
    assert findings("upstream-dns-unreachable", [*_dns(ready=0), *_failing("github.com", "ghcr.io")]) == []
