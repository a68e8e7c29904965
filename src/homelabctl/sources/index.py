"""Objects indexed so that no check ever has to scan the whole snapshot in a loop."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from homelabctl.k8s import shape
from homelabctl.model import ObjectRef, Resource, group_kind
from homelabctl.selectors import Selector
from homelabctl.timeutil import parse_time, utcnow

_EMPTY: tuple[Resource, ...] = ()
_NO_VALUES: Mapping[str, tuple[Resource, ...]] = {}


def _older(candidate: Resource, current: Resource) -> bool:
    """resourceVersions are etcd revisions: integers in practice, opaque by contract."""
    new = shape.metadata_value(candidate, "resourceVersion")
    old = shape.metadata_value(current, "resourceVersion")
    if isinstance(new, str) and isinstance(old, str) and new.isdigit() and old.isdigit():
        return int(new) < int(old)
    return False


class ClusterIndex:
    """Indexes by group-kind, (gk, namespace, name), uid, owner uid, node (pods), involved object (events).

    Label indexes are built per group-kind on first use: most kinds are never selected by label.
    """

    def __init__(self, resources: Iterable[Resource] = ()) -> None:
        self._by_gk: dict[str, list[Resource]] = defaultdict(list)
        self._by_key: dict[tuple[str, str | None, str], Resource] = {}
        self._by_uid: dict[str, Resource] = {}
        self._children: dict[str, list[Resource]] = defaultdict(list)
        self._pods_by_node: dict[str, list[Resource]] = defaultdict(list)
        self._events: dict[tuple[str, str | None, str], list[Resource]] = defaultdict(list)
        self._labels: dict[str, dict[str, dict[str, tuple[Resource, ...]]]] = {}
        self._ns_labels: dict[str, dict[tuple[str | None, str, str], tuple[Resource, ...]]] = {}
        self._newest: datetime | None = None
        for resource in resources:
            self.add(resource)

    def add(self, res: Resource) -> None:
        """Add, or replace the same gk/namespace/name: the higher resourceVersion wins (the later one when
        they are not comparable), so merged snapshots keep the newest state of each object."""
        gk = res.gk
        key = (gk, res.namespace, res.name)
        previous = self._by_key.get(key)
        if previous is not None:
            if _older(res, previous):
                return
            self._remove(previous)
        self._by_key[key] = res
        self._by_gk[gk].append(res)
        uid, owners = shape.uid_and_owners(res)
        if uid and isinstance(uid, str):
            self._by_uid[uid] = res
        if isinstance(owners, list):  # the maps of the list, as Resource.owner_references reads them
            for owner in owners:
                if type(owner) is dict or isinstance(owner, Mapping):
                    owner_uid = owner.get("uid")
                    if owner_uid and isinstance(owner_uid, str):
                        self._children[owner_uid].append(res)
        if res.kind == "Pod":
            node = shape.spec_value(res, "nodeName")
            if node and isinstance(node, str):
                self._pods_by_node[node].append(res)
        elif res.kind == "Event":
            involved = shape.involved(res)
            if involved is not None:
                self._events[
                    (
                        str(involved.get("kind", "")),
                        involved.get("namespace") or None,
                        str(involved.get("name", "")),
                    )
                ].append(res)
        if self._labels or self._ns_labels:
            self._labels.pop(gk, None)
            self._ns_labels.pop(gk, None)
        self._newest = None

    def _remove(self, res: Resource) -> None:
        self._by_gk[res.gk].remove(res)
        uid = res.uid
        if uid and self._by_uid.get(uid) is res:
            del self._by_uid[uid]
        for owner in res.owner_references:
            siblings = self._children.get(str(owner.get("uid", "")))
            if siblings and res in siblings:
                siblings.remove(res)
        if res.kind == "Pod":
            node = shape.spec_value(res, "nodeName")
            if node and res in self._pods_by_node.get(node, []):
                self._pods_by_node[node].remove(res)
        elif res.kind == "Event":
            for events in self._events.values():
                if res in events:
                    events.remove(res)

    # -- lookups -------------------------------------------------------------------------------------------
    def all(self, gk: str) -> Sequence[Resource]:
        return self._by_gk.get(gk, _EMPTY)

    def has(self, gk: str) -> bool:
        return bool(self._by_gk.get(gk))

    @property
    def kinds(self) -> list[str]:
        return sorted(gk for gk, items in self._by_gk.items() if items)

    def __len__(self) -> int:
        return len(self._by_key)

    def __iter__(self) -> Any:
        return iter(self._by_key.values())

    def get(self, gk: str, namespace: str | None, name: str) -> Resource | None:
        return self._by_key.get((gk, namespace or None, name))

    def by_uid(self, uid: str) -> Resource | None:
        return self._by_uid.get(uid)

    def children(self, owner: Resource, gk: str | None = None) -> list[Resource]:
        kids = self._children.get(owner.uid, [])
        return [k for k in kids if gk is None or k.gk == gk]

    def owner(self, res: Resource) -> Resource | None:
        """The controlling owner, by uid; by kind and name when the snapshot lost uids."""
        ref = res.controller_owner
        if ref is None:
            return None
        found = self._by_uid.get(str(ref.get("uid", "")))
        if found is not None:
            return found
        gk = group_kind(str(ref.get("apiVersion", "")), str(ref.get("kind", "")))
        return self.get(gk, res.namespace, str(ref.get("name", "")))

    def owner_chain(self, res: Resource) -> list[Resource]:
        """Pod → ReplicaSet → Deployment (or Job → CronJob ...), nearest first; stops on loops."""
        chain: list[Resource] = []
        seen = {id(res)}
        current = self.owner(res)
        while current is not None and id(current) not in seen:
            chain.append(current)
            seen.add(id(current))
            current = self.owner(current)
        return chain

    def top_owner(self, res: Resource) -> Resource:
        chain = self.owner_chain(res)
        return chain[-1] if chain else res

    def pods_on_node(self, node_name: str) -> Sequence[Resource]:
        return self._pods_by_node.get(node_name, _EMPTY)

    def events_for(self, obj: Resource | ObjectRef) -> Sequence[Resource]:
        ref = obj.ref if isinstance(obj, Resource) else obj
        return self._events.get((ref.kind, ref.namespace, ref.name), _EMPTY)

    def select(self, gk: str, namespace: str | None, selector: Selector | None) -> list[Resource]:
        """Objects of ``gk`` in ``namespace`` (None: all namespaces) whose labels match ``selector``.

        A None selector selects nothing; an empty one selects everything, as in the API.
        """
        if selector is None:
            return []
        pairs = selector.equality_pairs()
        if pairs:
            # buckets per namespace as well as across all of them: a Service's selector looks in its own
            # namespace, and a bucket spanning every namespace grows with the cluster
            smallest: Sequence[Resource]
            if namespace is None:
                anywhere = self._label_index(gk)
                smallest = min(
                    (anywhere.get(key, _NO_VALUES).get(value, _EMPTY) for key, value in pairs), key=len
                )
            else:
                by_namespace = self._namespace_label_index(gk)
                smallest = min((by_namespace.get((namespace, *pair), _EMPTY) for pair in pairs), key=len)
            return [res for res in smallest if selector.matches(res.labels)]
        return [
            res
            for res in self.all(gk)
            if (namespace is None or res.namespace == namespace) and selector.matches(res.labels)
        ]

    def _label_index(self, gk: str) -> dict[str, dict[str, tuple[Resource, ...]]]:
        """``gk``'s objects by label key, then value, across every namespace. Built apart from the per-namespace
        buckets: most kinds are selected in one way only (a Service's selector looks in its own namespace, a
        check for a component across all of them), and each costs a bucket per object. Buckets are tuples (a
        list of one or two is 88 bytes, the tuple 48 or 56): adding an object of the kind drops its index
        anyway; keys are not pairs (a 56-byte tuple per distinct label)."""
        built = self._labels.get(gk)
        if built is None:
            buckets: dict[str, dict[str, list[Resource]]] = defaultdict(dict)
            for res in self.all(gk):
                for key, value in res.labels.items():
                    found = buckets[key].get(value)
                    if found is None:
                        buckets[key][value] = [res]
                    else:
                        found.append(res)
            built = self._labels[gk] = {
                key: {value: tuple(found) for value, found in values.items()}
                for key, values in buckets.items()
            }
        return built

    def _namespace_label_index(self, gk: str) -> dict[tuple[str | None, str, str], tuple[Resource, ...]]:
        built = self._ns_labels.get(gk)
        if built is None:
            buckets: dict[tuple[str | None, str, str], list[Resource]] = defaultdict(list)
            for res in self.all(gk):
                namespace = res.namespace
                for key, value in res.labels.items():
                    buckets[(namespace, key, value)].append(res)
            built = self._ns_labels[gk] = {key: tuple(found) for key, found in buckets.items()}
        return built

    def newest_timestamp(self) -> datetime:
        """The latest moment the data itself shows: node heartbeats, events, creations. Falls back to now."""
        if self._newest is not None:
            return self._newest
        newest = ""
        for node in self.all("Node"):
            for cond in node.conditions:
                stamp = cond.get("lastHeartbeatTime") or ""
                if stamp > newest:
                    newest = stamp
        for event in self.all("Event"):
            for stamp in shape.event_stamps(event):
                if isinstance(stamp, str) and stamp > newest:
                    newest = stamp
        if not newest:
            for res in self._by_key.values():
                stamp = shape.metadata_value(res, "creationTimestamp") or ""
                if isinstance(stamp, str) and stamp > newest:
                    newest = stamp
        self._newest = parse_time(newest) or utcnow()
        return self._newest
