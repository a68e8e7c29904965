from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check, first_pod_lines
from homelabctl.k8s import runtime_handlers
from homelabctl.model import Finding, Layer, Lifecycle, ObjectRef, Severity


@check(
    "node-runtime-handler-missing",
    layer=Layer.NODE,
    severity=Severity.CRITICAL,
    requires=[kinds.EVENT, kinds.POD],
    uses=[kinds.RUNTIME_CLASS, kinds.NODE],
    lifecycle=Lifecycle.PREVIEW,
)
def node_runtime_handler_missing(ctx: CheckContext) -> Iterator[Finding]:
    """Node whose container runtime has no handler for a RuntimeClass its pods ask for.

    Reads the kubelet's ``FailedCreatePodSandBox`` events for the container runtime's refusal: containerd's
    ``failed to get sandbox runtime: no runtime for "nvidia" is configured``, CRI-O's ``RuntimeHandler
    "nvidia" not supported``. One finding per node and handler, naming the pods that wait, the RuntimeClass
    (if any) whose ``handler`` it is, and the handlers the node reports (``status.runtimeHandlers``,
    Kubernetes 1.30+).

    Why it matters: a RuntimeClass is only a name; each node's runtime configuration must define the
    handler. On K3s the ``nvidia`` handler is written into containerd's generated config only when
    ``nvidia-container-runtime`` is found at start, so an upgrade or a removed toolkit silently drops it.
    Pods already running keep their sandboxes; every new pod with that runtime class stays in
    ``ContainerCreating`` on that node, while pods without it start there normally.

    Next step: on the node, check the runtime's configuration for the handler (K3s:
    ``grep -A3 'runtimes.\\"nvidia\\"' /var/lib/rancher/k3s/agent/etc/containerd/config.toml``), reinstall
    the NVIDIA container toolkit if it is gone, and restart K3s so it regenerates the config.
    """
    classes = {runtime_handlers.handler(rc): rc.name for rc in ctx.index.all(kinds.RUNTIME_CLASS)}
    for (node, name), listed in sorted(runtime_handlers.refused_by_node(ctx.index).items()):
        evidence = first_pod_lines(
            (f"pod {r.pod.namespace}/{r.pod.name}: {r.line} (x{r.count})" for r in listed), len(listed)
        )
        runtime_class = classes.get(name)
        if runtime_class:
            evidence.append(
                f"RuntimeClass {runtime_class} has handler {name}: the node's runtime must define it"
            )
        elif ctx.readable(kinds.RUNTIME_CLASS):
            evidence.append(f"no RuntimeClass has handler {name}")
        node_obj = ctx.index.get(kinds.NODE, None, node)
        reported = runtime_handlers.node_handlers(node_obj) if node_obj is not None else None
        if reported is not None:
            evidence.append(
                f"handlers {node} reports: {', '.join(h or '(default)' for h in reported) or 'none'}"
            )
        yield ctx.finding(
            node_obj if node_obj is not None else ObjectRef("Node", None, node),
            f"Node {node}'s container runtime has no handler {name!r}: {len(listed)} pod(s) asking for it cannot "
            "start there",
            evidence=evidence,
            hint=f"On {node}, check the runtime configuration for the {name} handler (K3s: "
            "/var/lib/rancher/k3s/agent/etc/containerd/config.toml), reinstall the container toolkit, restart K3s",
        )
