from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.gpu._common import node_gpus
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import (
    all_statuses,
    describe_termination,
    first_lines,
    last_terminated,
    waiting,
    waiting_reason,
)
from homelabctl.k8s import pod_lookup
from homelabctl.k8s import pods as k8s_pods
from homelabctl.k8s.pod_trouble import live_pods
from homelabctl.kube import pod_display_status, pod_is_ready, pod_node, pod_restarts
from homelabctl.model import Finding, Layer, Resource, Severity

# (component, what breaks without it, label values, image fragments)
COMPONENTS: tuple[tuple[str, str, frozenset[str], tuple[str, ...]], ...] = (
    (
        "NVIDIA device plugin",
        "the node stops advertising nvidia.com/gpu, so GPU pods cannot be scheduled",
        frozenset({"nvidia-device-plugin", "nvidia-device-plugin-daemonset", "nvidia-device-plugin-ds"}),
        ("k8s-device-plugin", "nvidia/device-plugin"),
    ),
    (
        "DCGM exporter",
        "there are no GPU metrics (utilisation, VRAM, temperature) in Prometheus",
        frozenset({"dcgm-exporter", "nvidia-dcgm-exporter"}),
        ("dcgm-exporter",),
    ),
    (
        "GPU feature discovery",
        "GPU nodes lose their nvidia.com/gpu.* labels (product, replicas)",
        frozenset({"gpu-feature-discovery"}),
        ("gpu-feature-discovery",),
    ),
    (
        "NVIDIA container toolkit",
        "containers on the node cannot be given the GPU",
        frozenset({"nvidia-container-toolkit-daemonset"}),
        ("container-toolkit",),
    ),
    (
        "NVIDIA GPU operator",
        "the GPU stack on the nodes is not reconciled",
        frozenset({"gpu-operator"}),
        ("gpu-operator",),
    ),
    (
        "Intel GPU plugin",
        "the node stops advertising gpu.intel.com/i915 (QuickSync transcoding)",
        frozenset({"intel-gpu-plugin"}),
        ("intel-gpu-plugin",),
    ),
    (
        "Intel device plugins operator",
        "the Intel GPU plugin is not deployed or updated",
        frozenset({"intel-device-plugins-operator", "inteldeviceplugins-controller-manager"}),
        ("intel-deviceplugin-operator",),
    ),
)
_LABEL_KEYS = ("app.kubernetes.io/name", "app", "k8s-app", "app.kubernetes.io/component")


_ANY_LABEL = frozenset().union(*(labels for _, _, labels, _ in COMPONENTS))
_ANY_FRAGMENT = tuple(fragment for _, _, _, fragments in COMPONENTS for fragment in fragments)


def component_of(pod: Resource) -> tuple[str, str] | None:
    """(component name, what breaks) when the pod belongs to the GPU stack."""
    values = {pod.labels.get(key, "") for key in _LABEL_KEYS}
    images = k8s_pods.images(k8s_pods.pod_spec(pod))
    # most pods are no part of the GPU stack: one test against every component's signs, not one per component
    if not values & _ANY_LABEL and not any(f in image for image in images for f in _ANY_FRAGMENT):
        return None
    for name, impact, labels, fragments in COMPONENTS:
        if values & labels or any(f in image for image in images for f in fragments):
            return name, impact
    return None


def _pod_line(ctx: CheckContext, pod: Resource) -> list[str]:
    node_name = pod_node(pod)
    line = (
        f"pod {pod.name}"
        + (f" on {node_name}" if node_name else "")
        + f": {pod_display_status(pod)}, restarts={pod_restarts(pod)}"
    )
    lines = [line]
    for cs, _ in all_statuses(pod):
        reason = waiting_reason(cs)
        term = last_terminated(cs)
        if reason and reason != "PodInitializing":
            message = first_lines(waiting(cs).get("message"), lines=1, width=160)
            lines.append(
                f"{pod.name} {cs.get('name')}: waiting {reason}" + (f": {message}" if message else "")
            )
        if term and not cs.get("ready"):
            lines.append(f"{pod.name} {cs.get('name')} last terminated {describe_termination(term)}")
    if node_name:
        node = ctx.index.get(kinds.NODE, None, node_name)
        if node is not None:
            gpus = node_gpus(node)
            offered = ", ".join(f"{r}={alloc}" for r, (_, alloc) in gpus.items()) or "no GPU resource"
            lines.append(f"node {node_name} allocatable: {offered}")
    return lines


@check(
    "gpu-plugin-failing", layer=Layer.GPU, severity=Severity.WARNING, requires=[kinds.POD], uses=[kinds.NODE]
)
def gpu_plugin_failing(ctx: CheckContext) -> Iterator[Finding]:
    """GPU stack pod failing: NVIDIA device plugin, DCGM exporter, GPU operator or Intel GPU plugin.

    Finds the GPU stack's pods by their labels (``app.kubernetes.io/name``, ``app``) or images
    (``k8s-device-plugin``, ``dcgm-exporter``, ``gpu-operator``, ``intel-gpu-plugin`` ...) and reports
    those that are not ready: waiting reason, last termination, restarts, and what the node advertises
    (``nvidia.com/gpu`` allocatable). One finding per DaemonSet/Deployment, naming what stops working:
    no device plugin means no schedulable GPU; no DCGM exporter means no GPU metrics.

    Next step: ``kubectl logs -n NS POD --previous``; for DCGM on a time-sliced or consumer GPU, check the
    exporter version against the driver (``nvidia-smi`` on the node) and that the pod runs with the
    ``nvidia`` runtime class.
    """
    groups: dict[tuple[str, str, str], tuple[Resource, str, str, list[Resource]]] = {}
    # the pods with a GPU stack label or image, looked up (k8s.pod_lookup) rather than each pod tested
    stack = pod_lookup.showing(ctx.index, _LABEL_KEYS, _ANY_LABEL, _ANY_FRAGMENT)
    for pod in live_pods(ctx.index):
        if id(pod) not in stack:
            continue
        found = component_of(pod)
        if found is None or pod_is_ready(pod) or k8s_pods.phase(pod) == "Succeeded":
            continue
        top = ctx.index.top_owner(pod)
        key = (top.kind, top.namespace or "", top.name)
        groups.setdefault(key, (top, found[0], found[1], []))[3].append(pod)
    for (_kind, namespace, _name), (top, component, impact, pods) in sorted(
        groups.items(), key=lambda i: i[0]
    ):
        evidence: list[str] = []
        for pod in sorted(pods, key=lambda p: p.name)[:5]:
            evidence.extend(_pod_line(ctx, pod))
        first = sorted(pods, key=lambda p: p.name)[0]
        nodes = sorted({str(pod_node(p)) for p in pods if pod_node(p)})
        where = f" on {', '.join(nodes)}" if nodes else ""
        if component.startswith("Intel"):
            check_node = "that /dev/dri exists on the node and the i915 driver is loaded"
        else:
            check_node = (
                "the GPU driver on the node (`nvidia-smi`) and that the pod uses the nvidia runtime class"
            )
        yield ctx.finding(
            top,
            f"{component} {top.kind} {namespace}/{top.name} is not ready{where}: {impact}",
            evidence=evidence,
            hint=f"`kubectl logs -n {namespace} {first.name} --previous`; check {check_node}",
        )
