from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.gpu._common import gpu_pods, pod_gpu_requests
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import quotas as k8s_quotas
from homelabctl.model import Finding, Layer, Nature, ObjectRef, Resource, Severity


@check(
    "gpu-namespace-no-quota",
    layer=Layer.GPU,
    severity=Severity.WARNING,
    requires=[kinds.POD, kinds.RESOURCE_QUOTA],
    uses=[kinds.NAMESPACE],
    nature=Nature.CONFIGURATION,
)
def gpu_namespace_no_quota(ctx: CheckContext) -> Iterator[Finding]:
    """Namespace runs GPU pods with no ResourceQuota on GPU requests.

    Reads the pods that request a GPU resource, grouped by namespace, and the namespace's
    ResourceQuotas' ``spec.hard``: for extended resources only the ``requests.`` form
    (``requests.nvidia.com/gpu``) can be limited. Without it, one namespace can take every GPU slice
    (scale a deployment up, start a batch of jobs) and starve the others. Needs ResourceQuotas to be
    readable: with none captured the check is not evaluated rather than guessing.

    Next step: ``kubectl create quota gpu -n NS --hard=requests.nvidia.com/gpu=N`` with N the share that
    namespace is allowed.
    """
    usage: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    pods_by_ns: dict[str, list[Resource]] = defaultdict(list)
    for pod, gpus in gpu_pods(ctx.index):
        if not pod.namespace:
            continue
        pods_by_ns[pod.namespace].append(pod)
        for resource, count in gpus.items():
            usage[pod.namespace][resource] += count
    if not usage:
        return
    quotas: dict[str, list[Resource]] = defaultdict(list)
    for quota in ctx.index.all(kinds.RESOURCE_QUOTA):
        if quota.namespace:
            quotas[quota.namespace].append(quota)
    for namespace in sorted(usage):
        resources = usage[namespace]
        limited = {
            resource
            for resource in resources
            for quota in quotas[namespace]
            if f"requests.{resource}" in k8s_quotas.quota_hard(quota)
        }
        unlimited = sorted(set(resources) - limited)
        if not unlimited:
            continue
        evidence = [
            f"GPU requests in {namespace}: " + ", ".join(f"{n} {r}" for r, n in sorted(resources.items()))
        ]
        evidence.extend(
            f"pod {pod.name} requests " + ", ".join(f"{n} {r}" for r, n in pod_gpu_requests(pod).items())
            for pod in sorted(pods_by_ns[namespace], key=lambda p: p.name)[:5]
        )
        if quotas[namespace]:
            evidence.extend(
                f"ResourceQuota {q.name} limits only: "
                + (", ".join(sorted(k8s_quotas.quota_hard(q))) or "nothing")
                for q in quotas[namespace]
            )
        else:
            evidence.append(f"no ResourceQuota in namespace {namespace}")
        ns_obj = ctx.index.get(kinds.NAMESPACE, None, namespace)
        target = ns_obj if ns_obj is not None else ObjectRef("Namespace", None, namespace)
        first = unlimited[0]
        yield ctx.finding(
            target,
            f"Namespace {namespace} runs GPU pods with no quota on requests.{first}",
            evidence=evidence,
            hint=f"`kubectl create quota gpu -n {namespace} --hard=requests.{first}={resources[first]}` "
            "(set the number to the share this namespace may take)",
        )
