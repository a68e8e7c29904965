"""The readers the cluster checks moved onto: typed results from real-shaped objects, defaults from hostile ones."""

from __future__ import annotations

from typing import Any

import pytest

from homelabctl.k8s import (
    admission,
    fluxsources,
    helmreleases,
    longhorn_volumes,
    netpol,
    nfs,
    pods,
    policies,
    services,
)
from homelabctl.model import Resource

from factories import pod
from factories_apps import service
from factories_diag import longhorn_replica, network_policy, webhook_configuration
from factories_infra import helm_release, longhorn_volume, pvc

HOSTILE: list[Any] = ["gw", 3, None, ["x"], {"a": "b"}, True]


def test_network_policy_reads_selector_types_and_peers() -> None:
    policy = network_policy(
        "allow-app",
        "databases",
        pod_selector={"matchLabels": {"app": "postgres"}},
        ingress=[
            {
                "from": [
                    {"namespaceSelector": {"matchLabels": {"team": "a"}}},
                    {"ipBlock": {"cidr": "10.0.0.0/8"}},
                ]
            },
            {},
        ],
    )
    read = netpol.network_policy(Resource.from_raw(policy))
    assert read.isolates_ingress and read.policy_types == ("Ingress",)
    assert read.pod_selector.matches({"app": "postgres"}) and not read.pod_selector.matches({"app": "x"})
    assert read.pod_selector_text == "app=postgres"
    first, everyone = read.ingress
    assert not first.admits_all and everyone.admits_all
    ns_peer, block_peer = first.peers
    assert ns_peer.namespace_selector_set and not ns_peer.pod_selector_set and ns_peer.ip_block is None
    assert ns_peer.namespace_selector is not None and ns_peer.namespace_selector.matches({"team": "a"})
    assert block_peer.ip_block == netpol.IpBlock("10.0.0.0/8", ())


def test_network_policy_egress_only_does_not_isolate_ingress() -> None:
    read = netpol.network_policy(network_policy("egress", "a", policy_types=["Egress"]))
    assert not read.isolates_ingress


@pytest.mark.parametrize("value", HOSTILE)
def test_network_policy_tolerates_any_shape(value: Any) -> None:
    raw = {"spec": {"podSelector": value, "policyTypes": value, "ingress": value}}
    read = netpol.network_policy(raw)
    assert read.pod_selector is not None
    for rule in read.ingress:
        assert isinstance(rule.peers, tuple)
    rules = netpol.network_policy(
        {"spec": {"ingress": [{"from": [{"podSelector": value, "ipBlock": value}]}]}}
    )
    assert len(rules.ingress) == 1


def test_an_unreadable_peer_selector_selects_nothing() -> None:
    """Present but not a map: set (so it is not "any pod") and None (so it matches no pod)."""
    [rule] = netpol.network_policy({"spec": {"ingress": [{"from": [{"podSelector": "app=x"}]}]}}).ingress
    [peer] = rule.peers
    assert peer.pod_selector_set and peer.pod_selector is None and not rule.admits_all


def test_longhorn_volume_and_replica() -> None:
    claim = pvc("data-postgres-0", "databases", "longhorn")
    volume = longhorn_volume(claim, robustness="degraded", replicas=3, workload="postgres")
    name = volume["metadata"]["name"]
    read = longhorn_volumes.longhorn_volume(Resource.from_raw(volume))
    assert (read.robustness, read.state, read.number_of_replicas) == ("degraded", "attached", "3")
    assert (read.claim_namespace, read.claim_name) == ("databases", "data-postgres-0")
    assert read.workloads and read.workloads[0].pod_status == "Running"
    replica = longhorn_volumes.longhorn_replica(longhorn_replica(volume, "abc", "k3s2"))
    assert (replica.volume_name, replica.node, replica.failed_at) == (name, "k3s2", "")
    assert replica.disk == "/var/lib/longhorn/"


@pytest.mark.parametrize("value", HOSTILE)
def test_longhorn_readers_tolerate_any_shape(value: Any) -> None:
    raw = {"spec": {"numberOfReplicas": value}, "status": {"kubernetesStatus": value, "robustness": value}}
    read = longhorn_volumes.longhorn_volume(raw)
    assert read.workloads == () or all(isinstance(w.pod_name, str) for w in read.workloads)
    assert isinstance(read.number_of_replicas, str)
    longhorn_volumes.longhorn_replica({"spec": value, "status": value})
    longhorn_volumes.longhorn_volume({"status": {"kubernetesStatus": {"workloadsStatus": [value]}}})


def test_webhooks_read_service_and_policy() -> None:
    config = webhook_configuration("kyverno", [("validate.kyverno.svc", "kyverno", "kyverno-svc")])
    [hook] = admission.webhooks(Resource.from_raw(config))
    assert (hook.name, hook.failure_policy, hook.service) == (
        "validate.kyverno.svc",
        "Fail",
        ("kyverno", "kyverno-svc"),
    )
    url_hook = {"webhooks": [{"name": "x", "clientConfig": {"url": "https://x"}, "failurePolicy": "Ignore"}]}
    [read] = admission.webhooks(url_hook)
    assert (read.name, read.failure_policy, read.service, read.fails_closed) == ("x", "Ignore", None, False)


@pytest.mark.parametrize("value", HOSTILE)
def test_webhooks_tolerate_any_shape(value: Any) -> None:
    admission.webhooks({"webhooks": value})
    [hook] = admission.webhooks({"webhooks": [{"name": value, "clientConfig": value}]})
    assert hook.service is None and hook.failure_policy == "Fail"


def test_helm_release_storage_history_and_counters() -> None:
    hr = helm_release("authentik", "authentik", "authentik")
    hr["spec"]["targetNamespace"] = "auth"
    hr["status"]["history"] = [
        {
            "name": "authentik",
            "version": 4,
            "chartName": "authentik",
            "chartVersion": "2025.2.1",
            "status": "failed",
        }
    ]
    hr["status"]["upgradeFailures"] = 2
    storage = helmreleases.release_storage(hr)
    assert (storage.release_name, storage.target_namespace, storage.storage_namespace) == ("", "auth", "")
    [latest] = helmreleases.history(hr)
    assert (latest.version, latest.chart_version, latest.status) == ("4", "2025.2.1", "failed")
    assert helmreleases.status_fields(hr) == [("lastAttemptedRevision", "1.6.2"), ("upgradeFailures", "2")]


@pytest.mark.parametrize("value", HOSTILE)
def test_helm_release_readers_tolerate_any_shape(value: Any) -> None:
    raw = {"spec": {"releaseName": value, "storageNamespace": value}, "status": {"history": value}}
    helmreleases.release_storage(raw)
    helmreleases.history(raw)
    helmreleases.history({"status": {"history": [value]}})
    helmreleases.status_fields({"status": value})


def test_flux_source_origin() -> None:
    repo = {
        "kind": "GitRepository",
        "spec": {"url": "ssh://git@github.com/me/home.git", "secretRef": {"name": "flux-system"}},
    }
    found = fluxsources.origin(repo)
    assert (found.location, found.secret) == ("ssh://git@github.com/me/home.git", "flux-system")
    bucket = fluxsources.origin({"kind": "Bucket", "spec": {"endpoint": "minio.local:9000"}})
    assert (bucket.url, bucket.location) == ("", "minio.local:9000")
    chart = fluxsources.origin({"kind": "HelmChart", "spec": {"sourceRef": {"kind": "HelmRepository"}}})
    assert (chart.source_kind, chart.source_name) == ("HelmRepository", "?")


@pytest.mark.parametrize("value", HOSTILE)
def test_flux_source_origin_tolerates_any_shape(value: Any) -> None:
    found = fluxsources.origin({"spec": {"url": value, "secretRef": value, "sourceRef": value}})
    assert isinstance(found.url, str) and isinstance(found.secret, str)


def test_inline_nfs_shares_and_pod_ip() -> None:
    raw = pod("media-0", "media", statuses=[])
    raw["spec"]["volumes"] = [
        {"name": "library", "nfs": {"server": "nas.lan:2049", "path": "/volume1/media"}},
        {"name": "tmp", "emptyDir": {}},
    ]
    raw["status"]["podIP"] = "10.42.1.7"
    [(name, share)] = nfs.inline_shares(Resource.from_raw(raw))
    assert (name, share.server, share.path) == ("library", "nas.lan", "/volume1/media")
    assert pods.pod_ip(raw) == "10.42.1.7"
    assert pods.pod_ip({"status": {"podIP": ["x"]}}) == ""


@pytest.mark.parametrize("value", HOSTILE)
def test_inline_nfs_shares_tolerate_any_shape(value: Any) -> None:
    assert nfs.inline_shares({"kind": "Pod", "spec": {"volumes": value}}) == []
    nfs.inline_shares({"kind": "Pod", "spec": {"volumes": [{"name": "v", "nfs": value}]}})


def test_service_selector_labels_and_cluster_ip() -> None:
    svc = service("postgres", "databases", {"app": "postgres"}, [{"name": "pg", "port": 5432}])
    svc["spec"]["clusterIP"] = "10.43.0.10"
    assert services.selector_labels(svc) == {"app": "postgres"}
    assert services.cluster_ip(svc) == "10.43.0.10"
    assert services.selector_labels({"spec": {"selector": "app=x"}}) == {}
    assert services.cluster_ip({"spec": {"clusterIP": None}}) == ""


def test_policy_fields_declared_and_configured() -> None:
    policy = {"kind": "SecurityPolicy", "spec": {"oidc": {}, "basicAuth": {"users": {"name": "htpasswd"}}}}
    names = ("oidc", "basicAuth", "jwt")
    assert policies.declared(policy, names) == ("oidc", "basicAuth")
    assert policies.configured(policy, names) == ("basicAuth",)
    for value in HOSTILE:
        assert policies.declared({"spec": value}, names) == ()
        assert policies.configured({"spec": value}, names) == ()
