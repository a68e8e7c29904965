"""Finding the monitoring stack's pods, whichever chart installed them."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from homelabctl import kinds
from homelabctl.checks.workload._common import first_lines
from homelabctl.k8s import conditions, flux, pod_lookup
from homelabctl.k8s.memo import remembered
from homelabctl.kube import pod_display_status, pod_is_finished, pod_is_ready, pod_node, pod_restarts
from homelabctl.model import ObjectRef, Resource
from homelabctl.sources.index import ClusterIndex

CLUSTER = ObjectRef("Cluster", None, "cluster")
"""The object of a finding about something the whole cluster lacks."""
LABEL_KEYS = ("app.kubernetes.io/name", "app", "k8s-app")


class Presence(msgspec.Struct):
    running: list[Resource] = msgspec.field(default_factory=list)
    failing: list[Resource] = msgspec.field(default_factory=list)


def find_pods(index: ClusterIndex, labels: Iterable[str], images: Iterable[str]) -> Presence:
    """Pods whose name label or image says they are the component, split into running-and-ready or not."""
    found = Presence()
    # label and image lookups (k8s.pod_lookup) rather than a test of every pod
    for pod in pod_lookup.in_index_order(index, pod_lookup.showing(index, LABEL_KEYS, labels, images)):
        if pod_is_finished(pod):
            continue
        if pod_is_ready(pod) and not pod.deletion_timestamp:
            found.running.append(pod)
        else:
            found.failing.append(pod)
    return found


def pod_lines(pods: Iterable[Resource], limit: int = 4) -> list[str]:
    lines = []
    for pod in sorted(pods, key=lambda p: (p.namespace or "", p.name))[:limit]:
        where = f" on {pod_node(pod)}" if pod_node(pod) else ""
        lines.append(
            f"pod {pod.namespace}/{pod.name}: {pod_display_status(pod)}{where}, restarts={pod_restarts(pod)}"
        )
    return lines


def related_releases(index: ClusterIndex, words: Iterable[str]) -> list[str]:
    """HelmReleases that look like they should install the component, with their Ready condition."""
    lines = []
    needles = tuple(words)
    for release, chart in _release_charts(index):
        if not _names_any(needles, release.name, chart):
            continue
        cond = conditions.condition(release, "Ready")
        lines.append(
            f"HelmRelease {release.namespace}/{release.name}: Ready={cond.status if cond else '?'} "
            f"{cond.reason if cond else ''}: {first_lines(cond.message if cond else '', lines=1)}".rstrip(
                ": "
            )
        )
    return lines


def _names_any(needles: tuple[str, ...], name: str, chart: str) -> bool:
    """Whether the release's name or chart contains one of ``needles`` (asked of every HelmRelease: a loop
    rather than a generator made for each)."""
    for needle in needles:  # noqa: SIM110  (any() over a generator: the cost this helper avoids)
        if needle in name or needle in chart:
            return True
    return False


def _release_charts(index: ClusterIndex) -> list[tuple[Resource, str]]:
    """Every HelmRelease with its chart name, once per index and run (k8s.memo): each monitoring check asks."""
    return remembered(
        "monitoring.release_charts",
        index,
        lambda: [(release, flux.chart_name(release)) for release in index.all(kinds.HELM_RELEASE)],
    )


def custom_resource_lines(index: ClusterIndex, gk: str) -> list[str]:
    lines = []
    for res in index.all(gk):
        conds = (
            ", ".join(
                f"{c.type}={c.status}" + (f" ({c.reason})" if c.reason else "")
                for c in conditions.conditions(res)
            )
            or "no status conditions"
        )
        lines.append(f"{res.kind} {res.namespace}/{res.name} exists: {conds}")
    return lines
