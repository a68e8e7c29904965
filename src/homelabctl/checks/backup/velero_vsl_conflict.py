from __future__ import annotations

from collections.abc import Iterator, Sequence

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import nodes, velero
from homelabctl.kube import pod_containers, pod_template_spec
from homelabctl.model import Finding, Layer, Nature, Resource, Severity

# provider (without the "velero.io/" prefix) -> (plugin image name, node providerID prefix of that cloud)
CLOUD_PROVIDERS = {
    "aws": ("velero-plugin-for-aws", "aws://"),
    "azure": ("velero-plugin-for-microsoft-azure", "azure://"),
    "gcp": ("velero-plugin-for-gcp", "gce://"),
}
DEFAULT_FLAG = "--default-volume-snapshot-locations"


def _provider(vsl: Resource) -> str:
    return velero.snapshot_location(vsl).provider.removeprefix("velero.io/")


def _velero_server(ctx: CheckContext, namespace: str | None) -> Resource | None:
    if not ctx.readable(kinds.DEPLOYMENT):
        return None
    return ctx.index.get(kinds.DEPLOYMENT, namespace, "velero")


def _server_defaults(server: Resource) -> dict[str, str]:
    """provider -> VSL name from ``--default-volume-snapshot-locations=aws:default,csi:x``."""
    defaults: dict[str, str] = {}
    for container in pod_containers(pod_template_spec(server), init=False):
        args = [str(a) for a in (container.get("args") or []) + (container.get("command") or [])]
        for i, arg in enumerate(args):
            value = ""
            if arg.startswith(DEFAULT_FLAG + "="):
                value = arg.split("=", 1)[1]
            elif arg == DEFAULT_FLAG and i + 1 < len(args):
                value = args[i + 1]
            for pair in value.split(","):
                provider, _, name = pair.partition(":")
                if provider and name:
                    defaults[provider.strip().removeprefix("velero.io/")] = name.strip()
    return defaults


def _server_images(server: Resource) -> list[str]:
    return [str(c.get("image") or "") for c in pod_containers(pod_template_spec(server), init=True)]


def _conflict_errors(ctx: CheckContext, namespace: str | None) -> list[str]:
    """Backup validation errors that name the ambiguity ("more than one possible volume snapshot location")."""
    found: list[str] = []
    for backup in ctx.index.all(kinds.VELERO_BACKUP):
        state = velero.backup(backup)
        if backup.namespace != namespace or state.phase != "FailedValidation":
            continue
        for error in state.validation_errors:
            if "volume snapshot location" in error.lower():
                found.append(f"Backup {backup.name}: {error}")
    return found


def _vsl_line(vsl: Resource) -> str:
    location = velero.snapshot_location(vsl)
    parts = ", ".join(f"{k}={v}" for k, v in sorted(location.config.items()))
    return (
        f"VolumeSnapshotLocation {vsl.name}: provider={location.provider or '?'}"
        f"{f' config {parts}' if parts else ''} phase={location.phase or '(none)'}"
    )


@check(
    "velero-vsl-conflict",
    layer=Layer.BACKUP,
    severity=Severity.WARNING,
    requires=[kinds.VOLUME_SNAPSHOT_LOCATION],
    uses=[kinds.DEPLOYMENT, kinds.NODE, kinds.VELERO_BACKUP],
    nature=Nature.CONFIGURATION,
)
def velero_vsl_conflict(ctx: CheckContext) -> Iterator[Finding]:
    """Velero VolumeSnapshotLocations that conflict or cannot work in this cluster.

    Reads each VolumeSnapshotLocation's ``spec.provider``, ``config`` and ``status.phase``, and, when they
    are readable, the ``velero`` Deployment (its ``--default-volume-snapshot-locations`` flag and plugin
    images), the Nodes' ``spec.providerID`` and Backups that failed validation. Fires on: two or more
    locations for the same provider with no default chosen for it - Velero then rejects every backup that
    snapshots volumes ("more than one possible volume snapshot location"; critical when a Backup shows
    that error); a cloud provider (``aws``, ``azure``, ``gcp``) whose plugin is not among the Deployment's
    images; a cloud provider on a cluster with no node from that cloud (e.g. the ``aws`` location a
    MinIO-oriented chart creates on a K3s homelab: EBS snapshots cannot snapshot Longhorn or NFS volumes);
    and a location whose phase is Unavailable.

    Next step: keep one location per provider (or set ``--default-volume-snapshot-locations``); delete
    locations for clouds the cluster is not on and use CSI snapshots or file-system backup instead:
    ``kubectl -n velero delete volumesnapshotlocation <name>`` (and remove it from Git / Helm values).
    """
    by_provider: dict[tuple[str | None, str], list[Resource]] = {}
    for vsl in ctx.index.all(kinds.VOLUME_SNAPSHOT_LOCATION):
        by_provider.setdefault((vsl.namespace, _provider(vsl)), []).append(vsl)
    node_ids = [nodes.provider_id(n) for n in ctx.index.all(kinds.NODE)] if ctx.readable(kinds.NODE) else None
    for (namespace, provider), vsls in sorted(
        by_provider.items(), key=lambda item: (item[0][0] or "", item[0][1])
    ):
        vsls = sorted(vsls, key=lambda r: r.name)
        server = _velero_server(ctx, namespace)
        yield from _duplicates(ctx, namespace, provider, vsls, server)
        for vsl in vsls:
            finding = _unusable(ctx, vsl, provider, server, node_ids)
            if finding is not None:
                yield finding


def _duplicates(
    ctx: CheckContext, namespace: str | None, provider: str, vsls: Sequence[Resource], server: Resource | None
) -> Iterator[Finding]:
    if len(vsls) < 2:
        return
    defaults = _server_defaults(server) if server is not None else {}
    chosen = defaults.get(provider)
    if chosen and any(v.name == chosen for v in vsls):
        return
    evidence = [_vsl_line(v) for v in vsls]
    if server is not None:
        evidence.append(
            f"Deployment {namespace}/velero: no {DEFAULT_FLAG} entry for {provider}"
            + (f" (it names {chosen}, which does not exist)" if chosen else "")
        )
    errors = _conflict_errors(ctx, namespace) if ctx.readable(kinds.VELERO_BACKUP) else []
    evidence += errors[:3]
    names = ", ".join(v.name for v in vsls)
    yield ctx.finding(
        vsls[0],
        f"{len(vsls)} VolumeSnapshotLocations for provider {provider} ({names}) and no default among them: "
        "backups that snapshot volumes fail validation",
        evidence=evidence,
        hint=(
            f"Delete the locations you do not use (`kubectl -n {namespace} delete volumesnapshotlocation <name>` "
            f"and in Git), or set `{DEFAULT_FLAG}={provider}:<name>` on the velero server"
        ),
        severity=Severity.CRITICAL if errors else Severity.WARNING,
    )


def _unusable(
    ctx: CheckContext, vsl: Resource, provider: str, server: Resource | None, node_ids: list[str] | None
) -> Finding | None:
    label = f"VolumeSnapshotLocation {vsl.namespace}/{vsl.name}"
    evidence = [_vsl_line(vsl)]
    problems: list[str] = []
    cloud = CLOUD_PROVIDERS.get(provider)
    hint = (
        f"If volume snapshots are not used, delete it: `kubectl -n {vsl.namespace} delete "
        f"volumesnapshotlocation {vsl.name}` (and remove it from Git / the Helm values)"
    )
    if cloud is not None:
        plugin, prefix = cloud
        if node_ids and not any(node_id.startswith(prefix) for node_id in node_ids):
            shown = sorted(
                {
                    node_id.split("://")[0] + "://" if "://" in node_id else node_id or "(none)"
                    for node_id in node_ids
                }
            )
            problems.append(
                f"uses provider {provider}, but no node runs on that cloud, so it cannot snapshot "
                "any volume here"
            )
            evidence.append(f"node providerIDs: {', '.join(shown)}... (nodes on {provider} have {prefix}...)")
        images = _server_images(server) if server is not None else None
        if images is not None and not any(plugin in image for image in images):
            problems.append(f"uses provider {provider}, but the velero Deployment has no {plugin} image")
            evidence.append("velero images: " + ", ".join(images))
    location = velero.snapshot_location(vsl)
    if location.phase == "Unavailable":
        problems.append("is Unavailable")
        if location.message:
            evidence.append(f"status.message: {location.message}")
    if not problems:
        return None
    more = f" (+{len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return ctx.finding(vsl, f"{label} {problems[0]}{more}", evidence=evidence, hint=hint)
