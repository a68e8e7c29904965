"""config-file-rejected: a crashing container's last words quote a file a ConfigMap volume of its pod mounts
(CoreDNS and K3s's optional coredns-custom: https://github.com/ori-edge/k8s_gateway/issues/76,
https://github.com/k3s-io/k3s/issues/4862)."""

from __future__ import annotations

from checks.helpers import findings

from factories_apps import coredns_with_custom


def test_fires_on_the_configmap_whose_mounted_key_the_crash_quotes() -> None:
    [finding] = findings("config-file-rejected", coredns_with_custom())
    assert (finding.object.kind, finding.object.namespace, finding.object.name) == (
        "ConfigMap",
        "kube-system",
        "coredns-custom",
    )
    assert finding.severity.value == "critical"
    assert "key home.server" in finding.message and "Unknown directive" in finding.message
    assert "data key 'home.server' is mounted at /etc/coredns/custom/home.server" in finding.evidence


def test_follows_items_to_the_key_of_a_shallower_mount() -> None:
    message = "plugin/hosts: /etc/coredns/NodeHosts:1 - Error during parsing: invalid IP address"
    [finding] = findings("config-file-rejected", coredns_with_custom(message))
    assert finding.object.name == "coredns" and "key NodeHosts" in finding.message


def test_silent_when_the_quoted_file_is_no_key_of_the_configmap() -> None:
    # the path is under the mount, but coredns-custom has no such key: nothing in the snapshot to blame
    assert findings("config-file-rejected", coredns_with_custom(custom_key="other.server")) == []


def test_silent_when_the_quoted_path_is_not_a_configmap_mount() -> None:
    message = "open /var/lib/coredns/cache.db: read-only file system"
    assert findings("config-file-rejected", coredns_with_custom(message)) == []


def test_silent_once_the_container_runs_again() -> None:
    objs = coredns_with_custom()
    pod = next(o for o in objs if o["kind"] == "Pod")
    pod["status"]["containerStatuses"][0]["state"] = {"running": {"startedAt": "2025-06-16T02:59:00Z"}}
    pod["status"]["containerStatuses"][0]["ready"] = True
    for cond in pod["status"]["conditions"]:
        cond["status"] = "True"
    assert findings("config-file-rejected", objs) == []
