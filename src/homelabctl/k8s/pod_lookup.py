"""Pods found by the labels or images that say what they are, without testing every pod of the cluster.

Half a dozen checks look for the pods of one component (Prometheus, the NVIDIA device plugin, an auth
proxy...) among every pod. Labels are looked up in the index's label buckets, and images among the
cluster's distinct images (a pod per container of each image, listed once per index and run, k8s.memo),
so each such check costs a few lookups instead of a walk over every pod.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from homelabctl.k8s.memo import remembered
from homelabctl.k8s.pods import pod_spec, read_images
from homelabctl.model import Resource
from homelabctl.selectors import Requirement, Selector

if TYPE_CHECKING:
    from homelabctl.sources.index import ClusterIndex

POD = "Pod"


def pods_by_image(index: ClusterIndex, *, init: bool = False) -> Mapping[str, list[Resource]]:
    """Every image the pods' containers (and with ``init`` their init containers) run, with the pods that run
    it, in index order."""
    if init:
        return remembered("pods_by_image+init", index, lambda: _pods_by_image(index, True))
    return remembered("pods_by_image", index, lambda: _pods_by_image(index, False))


def _pods_by_image(index: ClusterIndex, init: bool) -> dict[str, list[Resource]]:
    found: dict[str, list[Resource]] = {}
    for pod in index.all(POD):
        for image in read_images(pod_spec(pod), init):
            found.setdefault(image, []).append(pod)
    return found


def showing(
    index: ClusterIndex,
    label_keys: Iterable[str],
    label_values: Iterable[str],
    image_fragments: Iterable[str],
    *,
    init: bool = False,
) -> set[int]:
    """Identities of the pods that have a ``label_keys`` label valued in ``label_values``, or whose containers
    run an image containing one of ``image_fragments``: the same pods as testing each one with
    ``pod.labels.get(key) in label_values`` and ``fragment in image`` for ``images(pod_spec(pod), init=init)``.
    """
    found: set[int] = set()
    values = tuple(label_values)
    for key in label_keys:
        for value in values:
            selector = Selector((Requirement(key, "In", frozenset((value,))),))
            found.update(map(id, index.select(POD, None, selector)))
    fragments = tuple(image_fragments)
    if fragments:
        for image, pods in pods_by_image(index, init=init).items():
            if any(fragment in image for fragment in fragments):
                found.update(map(id, pods))
    return found


def in_index_order(index: ClusterIndex, wanted: set[int]) -> list[Resource]:
    """The pods among ``wanted`` (identities), in the order the index lists them."""
    if not wanted:
        return []
    return [pod for pod in index.all(POD) if id(pod) in wanted]
