"""The check modules, listed so that start-up imports them without walking the package on disk.

Generated: run ``python src/homelabctl/checks/_modules.py`` after adding or removing a check module (a
test fails while this list and the package disagree). Run as a file, it imports nothing of the package, so
it works while the list names a module that is gone.
"""

from __future__ import annotations

from pathlib import Path

MODULES: tuple[str, ...] = (
    "homelabctl.checks.backup.velero_backup_failed_or_stale",
    "homelabctl.checks.backup.velero_bsl_credential_missing",
    "homelabctl.checks.backup.velero_bsl_unavailable",
    "homelabctl.checks.backup.velero_no_offsite",
    "homelabctl.checks.backup.velero_node_agent_missing",
    "homelabctl.checks.backup.velero_vsl_conflict",
    "homelabctl.checks.gpu.gpu_insufficient",
    "homelabctl.checks.gpu.gpu_namespace_no_quota",
    "homelabctl.checks.gpu.gpu_plugin_failing",
    "homelabctl.checks.gpu.gpu_pod_no_priority_class",
    "homelabctl.checks.gpu.gpu_time_slicing_saturated",
    "homelabctl.checks.monitoring.no_alertmanager",
    "homelabctl.checks.monitoring.no_node_problem_detector",
    "homelabctl.checks.monitoring.no_prometheus",
    "homelabctl.checks.network.cilium_bgp_peering",
    "homelabctl.checks.network.cilium_gateway_api_config",
    "homelabctl.checks.network.cilium_lb_ip_pool",
    "homelabctl.checks.network.cluster_dns_unhealthy",
    "homelabctl.checks.network.cni_agent_not_ready",
    "homelabctl.checks.network.ingress_class_missing",
    "homelabctl.checks.network.ingress_tls_secret_missing",
    "homelabctl.checks.network.networkpolicy_blocks_dns",
    "homelabctl.checks.network.networkpolicy_blocks_traffic",
    "homelabctl.checks.network.node_network_unavailable",
    "homelabctl.checks.network.node_pod_ips_exhausted",
    "homelabctl.checks.network.route_backend_unavailable",
    "homelabctl.checks.network.route_middleware_missing",
    "homelabctl.checks.network.service_no_ready_endpoints",
    "homelabctl.checks.network.service_target_port_unmatched",
    "homelabctl.checks.network.servicelb_port_taken",
    "homelabctl.checks.network.upstream_dns_unreachable",
    "homelabctl.checks.node.control_plane_datastore_slow",
    "homelabctl.checks.node.kubelet_version_skew",
    "homelabctl.checks.node.node_cordon_strands_volumes",
    "homelabctl.checks.node.node_cordoned",
    "homelabctl.checks.node.node_mount_helper_missing",
    "homelabctl.checks.node.node_not_ready",
    "homelabctl.checks.node.node_pressure",
    "homelabctl.checks.node.node_resource_exhausted",
    "homelabctl.checks.node.node_runtime_handler_missing",
    "homelabctl.checks.node.node_taint_holds_pods",
    "homelabctl.checks.node.node_unreachable_taint",
    "homelabctl.checks.node.single_control_plane",
    "homelabctl.checks.platform.acme_server_refusing",
    "homelabctl.checks.platform.acme_solver_secret_missing",
    "homelabctl.checks.platform.admission_webhook_unavailable",
    "homelabctl.checks.platform.certificate_expiring",
    "homelabctl.checks.platform.certificate_not_ready",
    "homelabctl.checks.platform.certificate_wildcard_http01",
    "homelabctl.checks.platform.flux_dependency_missing",
    "homelabctl.checks.platform.flux_deprecated_api",
    "homelabctl.checks.platform.flux_missing_crd",
    "homelabctl.checks.platform.flux_not_ready",
    "homelabctl.checks.platform.flux_source_failed",
    "homelabctl.checks.platform.flux_source_stale",
    "homelabctl.checks.platform.flux_suspended",
    "homelabctl.checks.platform.gateway_not_accepted",
    "homelabctl.checks.platform.helm_release_pending",
    "homelabctl.checks.platform.helmrelease_missing_values_ref",
    "homelabctl.checks.platform.httproute_not_accepted",
    "homelabctl.checks.platform.image_registry_failing",
    "homelabctl.checks.platform.issuer_not_ready",
    "homelabctl.checks.platform.secret_generator_failing",
    "homelabctl.checks.platform.secret_store_not_ready",
    "homelabctl.checks.security.admin_ui_exposed_without_auth",
    "homelabctl.checks.security.admission_policy_refuses_pods",
    "homelabctl.checks.security.oauth2_proxy_misconfigured",
    "homelabctl.checks.storage.csi_driver_not_registered",
    "homelabctl.checks.storage.csi_driver_pods_failing",
    "homelabctl.checks.storage.default_storage_class",
    "homelabctl.checks.storage.failed_mount_events",
    "homelabctl.checks.storage.important_data_on_local_path",
    "homelabctl.checks.storage.k3s_kubelet_path_mismatch",
    "homelabctl.checks.storage.longhorn_node_unschedulable",
    "homelabctl.checks.storage.longhorn_volume_degraded",
    "homelabctl.checks.storage.nfs_server_unreachable",
    "homelabctl.checks.storage.pv_bound_elsewhere",
    "homelabctl.checks.storage.pvc_not_bound",
    "homelabctl.checks.storage.pvc_storage_class_missing",
    "homelabctl.checks.storage.storage_class_refuses_expansion",
    "homelabctl.checks.storage.volume_full",
    "homelabctl.checks.workload.config_file_rejected",
    "homelabctl.checks.workload.daemonset_not_ready",
    "homelabctl.checks.workload.job_failed",
    "homelabctl.checks.workload.pdb_blocks_eviction",
    "homelabctl.checks.workload.pod_config_error",
    "homelabctl.checks.workload.pod_crashloop",
    "homelabctl.checks.workload.pod_image_pull",
    "homelabctl.checks.workload.pod_oomkilled",
    "homelabctl.checks.workload.pod_pending",
    "homelabctl.checks.workload.pod_restarts",
    "homelabctl.checks.workload.pod_security_refused",
    "homelabctl.checks.workload.pod_stuck_terminating",
    "homelabctl.checks.workload.quota_leaves_no_room",
    "homelabctl.checks.workload.serviceaccount_missing",
    "homelabctl.checks.workload.workload_replicas_unavailable",
)


def discover(root: Path = Path(__file__).parent) -> tuple[str, ...]:
    """Every check module on disk (not ``_common``-style helpers, not the registry), sorted. Only packages
    (directories with an ``__init__.py``) are entered, as an import would."""
    found = []
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if any(part.startswith("_") for part in parts) or parts == ("registry",):
            continue
        if not all((root.joinpath(*parts[:i]) / "__init__.py").is_file() for i in range(1, len(parts))):
            continue
        found.append(".".join(("homelabctl", "checks", *parts)))
    return tuple(sorted(found))


def _write() -> None:
    path = Path(__file__)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("MODULES: tuple[str, ...] = (\n") + 1
    end = lines.index(")\n", start)
    lines[start:end] = [f'    "{name}",\n' for name in discover()]
    path.write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    _write()
