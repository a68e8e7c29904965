"""One module per cause rule; importing this package registers them all (see ``all_cause_rules``)."""

from homelabctl.diagnose.registry import all_cause_rules
from homelabctl.diagnose.rules import (  # noqa: F401 - imported to register
    acme_server_refuses,
    auth_proxy_broken,
    backup_endpoint_unreachable,
    budget_blocks_drain,
    cluster_dns_down,
    cronjob_blocked_by_run,
    csi_unregistered_everywhere,
    datastore_fails_writes,
    failure_propagates,
    flux_dependency_absent,
    flux_dependency_chain,
    flux_missing_crd,
    flux_source_broken,
    gateway_down,
    gpu_device_plugin_down,
    gpu_saturated,
    helm_release_locked,
    helmrelease_missing_values,
    kubelet_path_breaks_csi,
    longhorn_node_blocks_volumes,
    longhorn_volume_faulted,
    namespace_refuses_pods,
    networkpolicy_blocks,
    nfs_server_down,
    node_agent_misses_volumes,
    node_down,
    node_lacks_mount_helper,
    node_local_exhaustion,
    node_network_failure,
    node_network_suspect,
    node_pressure,
    node_refuses_runtime_class,
    policy_refuses_pods,
    registry_failing,
    secret_store_down,
    snapshot_location_conflict,
    stale_claim_ref,
    standalone,
    storage_class_missing,
    tls_chain,
    upstream_resolver_down,
    webhook_backend_down,
    wildcard_needs_dns01,
    workload_down,
)

all_rules = all_cause_rules
"""The name docs generation used before the rules moved to one file each."""

__all__ = ["all_cause_rules", "all_rules"]
