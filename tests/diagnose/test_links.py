"""Evidence-link extractors: real controller messages, and properties over arbitrary text."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from homelabctl.diagnose import links
from homelabctl.knowledge import net_errors

# Messages as the controllers write them (source-controller, kubelet, scheduler, replicaset-controller,
# helm-controller, external-provisioner).
GIT_DNS = (
    "failed to checkout and determine revision: unable to clone 'ssh://git@github.com/fletcherlabs/home-ops': "
    "dial tcp: lookup github.com on 10.43.0.10:53: read udp 10.42.0.31:40613->10.43.0.10:53: i/o timeout"
)
WEBHOOK = (
    'Error creating: Internal error occurred: failed calling webhook "validate.kyverno.svc-fail": failed to call '
    'webhook: Post "https://kyverno-svc.kyverno.svc:443/validate/fail?timeout=10s": dial tcp 10.43.12.7:443: '
    "connect: connection refused"
)
STORAGECLASS = 'storageclass.storage.k8s.io "longhorn-fast" not found'
SECRET = (
    "could not resolve Secret chart values reference 'authentik/authentik-secret' with key 'values.yaml': "
    'secrets "authentik-secret" not found'
)
TAINT = (
    "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }, 2 node(s) "
    "didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful "
    "for scheduling."
)


def test_ip_addresses_with_ports() -> None:
    found = [ip for ip, _ in links.ip_addresses(GIT_DNS)]
    assert found == ["10.43.0.10", "10.42.0.31", "10.43.0.10"]
    assert links.ip_addresses("version 1.2.3.4.5 and 300.1.1.1") == []


def test_service_dns_names() -> None:
    names = links.service_dns_names(WEBHOOK)
    assert [(m.namespace, m.name) for m in names] == [("kyverno", "kyverno-svc")]
    full = links.service_dns_names("dial tcp: lookup minio.velero.svc.cluster.local: no such host")
    assert [(m.namespace, m.name, m.text) for m in full] == [
        ("velero", "minio", "minio.velero.svc.cluster.local")
    ]


def test_short_service_names_are_candidates_only() -> None:
    found = {(m.namespace, m.name) for m in links.short_service_names("Get http://minio.velero:9000/: EOF")}
    assert ("velero", "minio") in found


def test_hostnames() -> None:
    hosts = [h for h, _ in links.hostnames(GIT_DNS)]
    assert "github.com" in hosts
    assert all(not h.replace(".", "").isdigit() for h in hosts)


def test_object_mentions() -> None:
    sc = links.object_mentions(STORAGECLASS)
    assert [(m.kind, m.name) for m in sc] == [("StorageClass", "longhorn-fast")]
    secret = links.object_mentions(SECRET)
    assert ("Secret", "authentik-secret") in [(m.kind, m.name) for m in secret]
    hook = links.object_mentions(WEBHOOK)
    assert ("Webhook", "validate.kyverno.svc-fail") in [(m.kind, m.name) for m in hook]
    taint = links.object_mentions(TAINT)
    assert ("Taint", "node.kubernetes.io/disk-pressure") in [(m.kind, m.name) for m in taint]
    flux = links.object_mentions(
        "dependency 'flux-system/HelmRelease/cert-manager' is not ready; "
        "HelmRelease/authentik/authentik failed"
    )
    assert ("HelmRelease", "authentik", "authentik") in [(m.kind, m.namespace, m.name) for m in flux]


def test_artifact_missing() -> None:
    assert (
        links.says_artifact_missing("Source artifact not found, retrying in 30s")
        == "Source artifact not found"
    )
    assert links.says_artifact_missing("Applied revision: main@sha1:4f2a") is None


def test_registry_of_follows_the_contract() -> None:
    assert links.registry_of("nginx") == "docker.io"
    assert links.registry_of("library/nginx:1.27") == "docker.io"
    assert links.registry_of("registry-1.docker.io/library/nginx") == "docker.io"
    assert links.registry_of("index.docker.io/grafana/grafana") == "docker.io"
    assert links.registry_of("ghcr.io/home-operations/sonarr:4.0@sha256:abc") == "ghcr.io"
    assert links.registry_of("registry.lan:5000/app:1") == "registry.lan"
    assert links.registry_of("localhost/app") == "localhost"


def test_url_host() -> None:
    assert links.url_host("ssh://git@github.com/fletcherlabs/home-ops") == "github.com"
    assert links.url_host("git@gitlab.com:org/repo.git") == "gitlab.com"
    assert links.url_host("https://s3.eu-central-003.backblazeb2.com") == "s3.eu-central-003.backblazeb2.com"
    assert links.url_host("oci://ghcr.io/fluxcd/charts") == "ghcr.io"
    assert links.url_host("nas.lan:2049") == "nas.lan"
    assert links.url_host("") is None


@given(st.text(max_size=600))
def test_extractors_never_fail_and_quote_the_text(text: str) -> None:
    for ip, match in links.ip_addresses(text):
        assert match in text and ip in match
    for mention in [*links.service_dns_names(text), *links.object_mentions(text)]:
        assert mention.name
        assert mention.text.lower() in text.lower()
    for host, match in links.hostnames(text):
        assert host and match.lower().startswith(host)
    links.says_artifact_missing(text)
    links.url_host(text)
    links.registry_of(text)


@given(
    st.lists(
        st.sampled_from([GIT_DNS, WEBHOOK, STORAGECLASS, SECRET, TAINT, "x" * 50, "a.b.", "{", '"']),
        max_size=30,
    )
)
def test_real_messages_survive_concatenation(parts: list[str]) -> None:
    text = " ".join(parts)
    for mention in links.object_mentions(text):
        assert mention.text.lower() in text.lower()


@given(
    st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
)
def test_service_names_round_trip(name: str, namespace: str) -> None:
    name, namespace = name.rstrip("-") or "a", namespace.rstrip("-") or "b"
    text = f"dial tcp: lookup {name}.{namespace}.svc.cluster.local on 10.43.0.10:53: no such host"
    assert (namespace, name) in [(m.namespace, m.name) for m in links.service_dns_names(text)]


def test_hostile_text_is_bounded() -> None:
    text = ("a." * 200_000) + "secrets " + '"' * 100_000
    start = time.perf_counter()
    links.object_mentions(text)
    links.hostnames(text)
    links.service_dns_names(text)
    assert time.perf_counter() - start < 5  # proves "no catastrophic backtracking", not speed


def test_taints_are_not_the_reason_when_a_node_lacks_a_resource() -> None:
    both = (
        "0/4 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint "
        "{node.kubernetes.io/unreachable: }, 2 node(s) didn't match Pod's node affinity/selector."
    )
    kinds = {m.kind for m in links.object_mentions(both)}
    assert "Taint" not in kinds and "ExtendedResource" in kinds
    assert "Taint" in {m.kind for m in links.object_mentions(TAINT)}


def test_csi_driver_names() -> None:
    mount = (
        'MountVolume.MountDevice failed for volume "pvc-1" : kubernetes.io/csi: attacher.MountDevice failed to '
        "create newCsiDriverClient: driver name driver.longhorn.io not found in the list of registered CSI drivers"
    )
    assert [(m.kind, m.name) for m in links.object_mentions(mount)] == [
        ("CSIDriverName", "driver.longhorn.io")
    ]


def _every_pattern(text: str) -> list[tuple[str, str | None, str, str]]:
    """object_mentions without its substring gates: every pattern run on every text."""
    text = links.clip(text)
    out: list[tuple[str, str | None, str, str]] = [
        (kind, None, m.group(1), m.group(0)) for kind, p in links._NOT_FOUND for m in p.finditer(text)
    ]
    out += [("Webhook", None, m.group(1), m.group(0)) for m in links._WEBHOOK.finditer(text)]
    out += [("ResourceQuota", None, m.group(1), m.group(0)) for m in links._QUOTA.finditer(text)]
    out += [(m.group(1), m.group(2), m.group(3), m.group(0)) for m in links._FLUX_REF.finditer(text)]
    out += [("Node", None, m.group(1).lower(), m.group(0)) for m in links._NODE.finditer(text)]
    if "Insufficient " not in text:
        out += [("Taint", None, m.group(1), m.group(0)) for m in links._TAINT.finditer(text)]
    out += [("ExtendedResource", None, m.group(1), m.group(0)) for m in links._RESOURCE.finditer(text)]
    out += [
        ("CSIDriverName", None, (m.group(1) or m.group(2)).lower(), m.group(0))
        for m in links._CSI_DRIVER.finditer(text)
    ]
    return out


# the words the gates look for, in other cases and with the characters a case-insensitive pattern also
# matches (Kelvin sign for k, long s for s, dotted and dotless i)
_GATED_WORDS = [
    'secrets "a" not found',
    'SECRETS "a" NOT FOUND',
    'ſecret "a" not found',
    'ſecrets "a" not found',
    'failed calling webhook "w.example.io"',
    'FAILED CALLİNG WEBHOO\u212a "w"',
    "exceeded quota: q1",
    "EXCEEDED QUOTA: q1",
    "HelmRelease/flux-system/app",
    "Deployment/home/mealie",
    "helmrelease/x/y",
    "node k3s1 is not ready",
    "NODE k3s1 IS NOT READY",
    "untolerated taint {node.kubernetes.io/disk-pressure: }",
    "UNTOLERATED TAİNT {x: }",
    "untolerated taınt {x: }",
    'failed callıng webhook "w"',
    "Insufficient nvidia.com/gpu",
    "driver name d.io not found in the list of registered CSI drivers",
    "CSI DRİVER d.io IS NOT REGİSTERED",
    "service.ns.svc.cluster.local:80",
    "x.ns.SVC",
]


@given(st.lists(st.sampled_from([*_GATED_WORDS, " ", ", ", "\n", "/", "x"]), max_size=8))
def test_substring_gates_change_nothing(parts: list[str]) -> None:
    text = "".join(parts)
    assert [(m.kind, m.namespace, m.name, m.text) for m in links.object_mentions(text)] == _every_pattern(
        text
    )
    lowered = links.clip(text).lower()
    assert [(m.namespace, m.name, m.text) for m in links.service_dns_names(text)] == [
        (m.group(2), m.group(1), m.group(0)) for m in links._SVC_DNS.finditer(lowered)
    ]


@given(
    st.lists(
        st.sampled_from(
            [
                "minio.velero",
                "MINIO.Velero:9000",
                "github.com",
                "GitHub.COM.",
                "nas.lan:2049",
                "10.43.0.10",
                "cluster.local",
                "İstanbul.example",
                "\u212aube.system",
                " ",
                "/",
                "-",
                ".",
                "x",
            ]
        ),
        max_size=10,
    )
)
def test_one_pass_for_hosts_and_short_names(parts: list[str]) -> None:
    text = "".join(parts)
    assert links.hosts_and_short_services(text) == (links.hostnames(text), links.short_service_names(text))


def test_every_unanswered_lookup_phrase_has_a_gate_word() -> None:
    """A phrase added to the knowledge without a word of the gate would never be searched for."""
    for phrase in net_errors.LOOKUP_UNANSWERED_PHRASES:
        assert any(word in phrase.lower() for word in links._UNANSWERED_WORDS), phrase


@given(
    st.lists(
        st.sampled_from(
            [
                "getaddrinfo EAI_AGAIN redis",
                "eaı_again",
                "Temporary failure in name resolution",
                "SERVER MISBEHAVING",
                "ſerver misbehaving",
                "no servers could be reached",
                "lookup minio on 10.96.0.10:53: i/o timeout",
                "LOOKUP \u212aube on 10.96.0.10:53: read udp",
                "pulling image",
                " ",
                "x",
            ]
        ),
        max_size=6,
    )
)
def test_lookup_gate_changes_nothing(parts: list[str]) -> None:
    text = "".join(parts)
    unanswered = net_errors.LOOKUP_UNANSWERED.search(text)
    named = (
        [
            (m.group(1).lower().rstrip("."), m.group(2).lower(), m.group(0))
            for m in net_errors.NAMED_LOOKUP.finditer(text)
        ]
        if unanswered
        else []
    )
    cluster = (
        unanswered.group(0)
        if unanswered
        and not net_errors.NAMED_RESOLVER.search(text)
        and not net_errors.IMAGE_PULL.search(text)
        else None
    )
    assert links.lookup_readings(text) == (cluster, named)
