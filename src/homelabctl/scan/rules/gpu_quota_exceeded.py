from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import msgspec
import yaml

from homelabctl.k8s import manifests, quotas
from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.repo import Doc
from homelabctl.scan.rules._common import applied, as_dict, as_list, containers, dig, pod_spec, walk

GPU = "nvidia.com/gpu"


class GpuUse(msgspec.Struct, frozen=True):
    doc: Doc
    namespace: str
    gpus: int
    detail: str


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def _pod_gpus(spec: dict[str, object]) -> int:
    """Like the scheduler: the sum over containers, or the largest init container if that is more."""
    regular = 0
    init = 0
    for field, _i, container in containers(spec):
        resources = as_dict(container.get("resources"))
        value = _int(
            as_dict(resources.get("limits")).get(GPU) or as_dict(resources.get("requests")).get(GPU) or 0
        )
        if field == "containers":
            regular += value
        else:
            init = max(init, value)
    return max(regular, init)


def _replicas(doc: Doc) -> tuple[int, str]:
    if doc.kind in ("Deployment", "StatefulSet", "ReplicaSet"):
        return manifests.spec_count(doc.data, "replicas"), "replicas"
    if doc.kind == "Job":
        return manifests.spec_count(doc.data, "parallelism") or 1, "parallelism"
    return 1, "pod" if doc.kind != "DaemonSet" else "per node"


def gpu_uses(ctx: ScanContext) -> Iterator[GpuUse]:
    for doc in ctx.repo.objects:
        found = pod_spec(doc)
        if found is None or not applied(ctx, doc):
            continue
        per_pod = _pod_gpus(found[0])
        if not per_pod:
            continue
        count, what = _replicas(doc)
        namespace = ctx.graph.namespace_of(doc) or "default"
        yield GpuUse(doc, namespace, per_pod * count, f"{doc.kind} {doc.name}: {per_pod} × {count} {what}")
    for hr in ctx.graph.helm_releases:
        if not applied(ctx, hr.doc):
            continue
        for path, value in walk(hr.values):
            if path and path[-1] in ("limits", "requests") and isinstance(value, dict) and GPU in value:
                if path[-1] == "requests" and GPU in as_dict(dig(hr.values, *path[:-1], "limits")):
                    continue
                gpus = _int(value[GPU])
                if gpus:
                    where = ".".join(str(p) for p in path)
                    yield GpuUse(hr.doc, hr.namespace, gpus, f"HelmRelease {hr.name} values.{where}: {gpus}")


def time_slicing(ctx: ScanContext) -> Iterator[tuple[Doc, int, str]]:
    """(object, replicas, where) for each nvidia device-plugin time-slicing config the repo declares."""
    texts: list[tuple[Doc, str, str]] = []
    for doc in ctx.objects("ConfigMap"):
        for key, value in as_dict(doc.data.get("data")).items():
            if isinstance(value, str) and "timeSlicing" in value:
                texts.append((doc, value, f"ConfigMap {doc.name} data.{key}"))
    for hr in ctx.helm_releases():
        for path, value in walk(hr.values):
            if isinstance(value, str) and "timeSlicing" in value:
                texts.append((hr.doc, value, f"HelmRelease {hr.name} values.{'.'.join(map(str, path))}"))
            elif path and path[-1] == "timeSlicing" and isinstance(value, dict):
                yield from _replicas_in(
                    hr.doc,
                    {"sharing": {"timeSlicing": value}},
                    f"HelmRelease {hr.name} values.{'.'.join(map(str, path))}",
                )
    for doc, text, where in texts:
        try:
            config = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        yield from _replicas_in(doc, config, where)


def _replicas_in(doc: Doc, config: object, where: str) -> Iterator[tuple[Doc, int, str]]:
    for resource in as_list(dig(config, "sharing", "timeSlicing", "resources")):
        if isinstance(resource, dict) and resource.get("name") == GPU and _int(resource.get("replicas")):
            yield doc, _int(resource["replicas"]), where


@rule("gpu-quota-exceeded", layer=Layer.GPU, severity=Severity.WARNING)
def gpu_quota_exceeded(ctx: ScanContext) -> Iterator[Finding]:
    """GPU requests exceed a namespace's ResourceQuota or the time-sliced GPU capacity the repo declares.

    Adds up ``nvidia.com/gpu`` per pod (limits, or requests) × replicas for every workload a cluster built
    from the repo would run (Deployments, StatefulSets, Jobs, CronJobs, Pods; DaemonSets count once) and
    ``nvidia.com/gpu`` requests found in HelmRelease values. Per namespace, the sum is compared with
    ``ResourceQuota`` ``requests.nvidia.com/gpu``: pods beyond it are refused at creation (``exceeded
    quota``). In total, it is compared with the ``sharing.timeSlicing.resources[].replicas`` of the NVIDIA
    device-plugin config (ConfigMap or HelmRelease values) × the number of physical GPUs (``scan.gpu_count``,
    1 by default): pods beyond it stay Pending on ``Insufficient nvidia.com/gpu``. Time-slicing has no memory
    isolation, so even within capacity the jobs share 16 GB.

    Next step: lower replicas or GPU requests, raise the quota, or add time-slicing replicas knowing that
    VRAM is shared.
    """
    uses = list(gpu_uses(ctx))
    if not uses:
        return
    by_ns: dict[str, list[GpuUse]] = defaultdict(list)
    for use in uses:
        by_ns[use.namespace].append(use)
    for quota in ctx.repo.of_kind("ResourceQuota"):
        hard = quotas.quota_hard(quota.data)
        limit_key = next((k for k in (f"requests.{GPU}", f"limits.{GPU}") if k in hard), None)
        namespace = ctx.graph.namespace_of(quota) or "default"
        if limit_key is None or not applied(ctx, quota):
            continue
        limit = _int(hard[limit_key])
        total = sum(u.gpus for u in by_ns.get(namespace, []))
        if total <= limit:
            continue
        yield ctx.finding(
            quota,
            f"Namespace {namespace} requests {total} {GPU} but its ResourceQuota {quota.name} allows {limit}",
            evidence=[f"{limit_key}: {hard[limit_key]}", *(u.detail for u in by_ns[namespace])],
            hint=f"Lower GPU requests/replicas in {namespace} or raise {limit_key} in {quota.path}",
            line=quota.line_of("spec", "hard", limit_key),
        )
    configs = list(time_slicing(ctx))
    if not configs:
        return
    doc, replicas, where = max(configs, key=lambda c: c[1])
    physical = ctx.options.gpu_count or 1
    capacity = replicas * physical
    total = sum(u.gpus for u in uses)
    if total <= capacity:
        return
    yield ctx.finding(
        doc,
        f"Workloads request {total} {GPU} in total but the time-slicing config offers {capacity} "
        f"({replicas} replicas × {physical} GPU{'s' if physical > 1 else ''})",
        evidence=[
            f"{where}: replicas {replicas}",
            f"physical GPUs: {physical} ({'scan.gpu_count' if ctx.options.gpu_count else 'assumed; set scan.gpu_count'})",
            *[u.detail for u in sorted(uses, key=lambda u: (u.namespace, u.detail))][:10],
        ],
        hint="Lower GPU requests/replicas, or raise timeSlicing replicas (VRAM stays shared)",
    )
