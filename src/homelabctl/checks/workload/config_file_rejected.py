from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check, first_pod_lines
from homelabctl.k8s import config_files
from homelabctl.model import Finding, Layer, Lifecycle, Severity


@check(
    "config-file-rejected",
    layer=Layer.WORKLOAD,
    severity=Severity.CRITICAL,
    requires=[kinds.POD, kinds.CONFIGMAP],
    lifecycle=Lifecycle.PREVIEW,
)
def config_file_rejected(ctx: CheckContext) -> Iterator[Finding]:
    """ConfigMap whose mounted file a crashing container names in its last words.

    Reads the messages of the containers that are not running (waiting or terminated, and their last
    termination) in pods that are not Ready, and the absolute paths they quote (``/etc/coredns/custom/home.server:3
    - Error during parsing: Unknown directive 'k8s_gateway'``). A path is matched against the container's
    ``volumeMounts`` of ConfigMap volumes (the deepest mount wins, ``items`` and ``subPath`` are followed) to the
    ConfigMap key the file comes from; only keys the ConfigMap in the snapshot carries count. One finding per
    ConfigMap and key, naming the pods and what they said.

    Why it matters: a program that cannot parse its configuration exits at start and crash-loops, and what
    shows is the workload: its restarts, its Deployment short of replicas, and whatever it serves (cluster DNS
    for CoreDNS). The change to undo is in the ConfigMap (often one that an optional volume mounts and an import
    or include pulls in, like K3s's ``coredns-custom``), not in the workload.

    Next step: fix or remove the key in the ConfigMap (in Git when Flux applies it), then restart the workload
    so it reads the file again; ``kubectl logs --previous`` shows the whole error.
    """
    by_key: dict[tuple[str, str, str], list[config_files.RejectedFile]] = {}
    for rejected in config_files.rejected_files(ctx.index):
        cm = rejected.config_map
        by_key.setdefault((cm.namespace or "", cm.name, rejected.key), []).append(rejected)
    for (namespace, name, key), listed in sorted(by_key.items()):
        first = listed[0]
        evidence = [
            f"data key {key!r} is mounted at {first.path}",
            *first_pod_lines(
                (f"pod {r.pod.namespace}/{r.pod.name} container {r.container}: {r.line}" for r in listed),
                len(listed),
            ),
        ]
        cm_obj = ctx.index.get(kinds.CONFIGMAP, namespace, name)
        yield ctx.finding(
            cm_obj if cm_obj is not None else first.config_map,
            f"ConfigMap {namespace}/{name}: container {first.container} stops on its key {key} "
            f"({len(listed)} pod(s)): {first.line[:160]}",
            evidence=evidence,
            hint=(
                f"Fix or remove key {key} of ConfigMap {namespace}/{name}, then `kubectl -n {first.pod.namespace} "
                f"logs {first.pod.name} -c {first.container} --previous` to confirm and restart the workload"
            ),
        )
