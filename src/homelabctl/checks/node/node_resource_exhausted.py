from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.k8s import exhaustion
from homelabctl.model import Finding, Layer, Severity

MAX_WORKLOADS = 6
_NEXT = {
    exhaustion.OPEN_FILES: (
        "read the node's limits: `ssh {node} sysctl fs.inotify.max_user_instances fs.inotify.max_user_watches "
        "fs.file-max`; raise them (e.g. `sysctl -w fs.inotify.max_user_instances=512 "
        "fs.inotify.max_user_watches=524288`, persisted in /etc/sysctl.d/) on {node}, then delete the "
        "failing pods so they restart"
    ),
    exhaustion.DISK: (
        "find what filled it: `ssh {node} df -h /var/lib/rancher /var/lib/kubelet /var/log`; prune images "
        "(`ssh {node} sudo k3s crictl rmi --prune`) or grow the disk on {node}"
    ),
}


@check(
    "node-resource-exhausted",
    layer=Layer.NODE,
    severity=Severity.CRITICAL,
    requires=[kinds.POD],
    uses=[kinds.EVENT, kinds.NODE],
)
def node_resource_exhausted(ctx: CheckContext) -> Iterator[Finding]:
    """Node where several workloads fail on the same exhausted kernel resource, and no other node does.

    Reads the termination and waiting messages of pods that are not Ready, and their Warning events, for
    a resource running out: file descriptors and inotify (``too many open files``, ``user limit (128) on
    the number of inotify instances``, ``failed to create FS watcher``, ``inotify_add_watch ... no space
    left on device``) or disk space (``no space left on device``). One finding per node and resource when
    pods of two or more workloads on that node report it and no pod on another node does.

    Why it matters: the programs look broken one by one (a crash-looping log shipper, a media server, a
    device plugin), but the limit is the node's: ``fs.inotify.max_user_instances`` defaults to 128, and a
    node that runs more watchers than its siblings hits it first. Restarting or reinstalling the apps
    changes nothing.

    Next step: the hint names the node and the exact commands: read and raise the sysctl limits (or free
    disk space) on that node, then restart the failing pods.
    """
    for (node, resource), items in sorted(exhaustion.node_local_pods(ctx.index).items()):
        if resource not in _NEXT:
            continue
        workloads, evidence = exhaustion.described(items, MAX_WORKLOADS)
        evidence.append(f"{len(workloads)} workload(s) on {node} report it; no pod on another node does")
        yield ctx.finding(
            ctx.node(node),
            f"Node {node} ran out of {resource}: {len(workloads)} workloads fail on it there "
            f"({', '.join(workloads[:MAX_WORKLOADS])})",
            evidence=evidence,
            hint=_NEXT[resource].format(node=node),
        )
