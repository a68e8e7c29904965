"""Pods found by the labels or images that say what they are, without testing every pod of the cluster.

Half a dozen checks look for the pods of one component (Prometheus, the NVIDIA device plugin, an auth
proxy...) among every pod. Labels are looked up in the index's label buckets, and images among the
cluster's distinct images (a pod per container of each image, listed once per index and run, k8s.memo),
so each such check costs a few lookups instead of a walk over every pod.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from homelabctl.k8s._raw import mappings, text
from homelabctl.k8s.memo import remembered
from homelabctl.model import Resource
from homelabctl.selectors import Requirement, Selector

if TYPE_CHECKING:
    from homelabctl.sources.index import ClusterIndex

POD = "Pod"


def pods_by_image(index: ClusterIndex, *, init: bool = False) -> Mapping[str, list[Resource]]:
    """Every image the pods' containers (with ``init``: their init containers instead) run, with the pods
    that run it, in index order. One pass over the pods for both, once per index and run (k8s.memo)."""
    containers, init_containers = remembered("pods_by_image", index, lambda: _pods_by_image(index))
    return init_containers if init else containers


def _pods_by_image(index: ClusterIndex) -> tuple[dict[str, list[Resource]], dict[str, list[Resource]]]:
    containers: dict[str, list[Resource]] = {}
    init_containers: dict[str, list[Resource]] = {}
    for pod in index.all(POD):
        spec = pod.spec  # a Pod's pod spec: pod_spec(pod), without asking its kind again
        _add_images(containers, pod, spec.get("containers"))
        written = spec.get("initContainers")
        if written:  # most pods have none (what mappings() makes of an empty value: no containers)
            _add_images(init_containers, pod, written)
    return containers, init_containers


def _add_images(by_image: dict[str, list[Resource]], pod: Resource, written: object) -> None:
    """``pod`` under the image of each of its containers (the maps of ``written``, as mappings() keeps them;
    walked in place, an image that is a string taken without a call)."""
    for container in written if type(written) is list else mappings(written):
        if type(container) is dict or isinstance(container, Mapping):
            image = container.get("image")
            by_image.setdefault(image if type(image) is str else text(image), []).append(pod)


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
    ``pod.labels.get(key) in label_values`` and ``fragment in image`` for ``images(pod.spec, init=init)``.
    """
    found: set[int] = set()
    values = tuple(label_values)
    for key in label_keys:
        for value in values:
            selector = Selector((Requirement(key, "In", frozenset((value,))),))
            found.update(map(id, index.select(POD, None, selector)))
    fragments = tuple(image_fragments)
    if not fragments:
        return found
    maps = (pods_by_image(index), pods_by_image(index, init=True)) if init else (pods_by_image(index),)
    for by_image in maps:
        for image, pods in by_image.items():
            if any(fragment in image for fragment in fragments):
                found.update(map(id, pods))
    return found


def in_index_order(index: ClusterIndex, wanted: set[int]) -> list[Resource]:
    """The pods among ``wanted`` (identities), in the order the index lists them."""
    if not wanted:
        return []
    return [pod for pod in index.all(POD) if id(pod) in wanted]
