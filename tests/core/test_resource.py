"""``Resource.from_raw`` (the loader's fast path, filling the slots directly) builds exactly the object the
constructor builds, for well-formed and hand-written odd objects alike; a Resource is frozen, equal and hashed
by its identity fields only."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homelabctl.model import ObjectRef, Resource

_ODD = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=2))
_SECTION = st.one_of(_ODD, st.dictionaries(st.sampled_from(["a", "b", "nodeName"]), _ODD, max_size=3))
_META = st.fixed_dictionaries(
    {},
    optional={
        "name": st.one_of(st.text(max_size=8), st.integers()),
        "namespace": st.one_of(st.just(""), st.text(max_size=8), st.none()),
        "labels": _SECTION,
        "uid": st.text(max_size=8),
    },
)
_RAW = st.fixed_dictionaries(
    {},
    optional={
        "apiVersion": st.one_of(
            st.sampled_from(["v1", "apps/v1", "helm.toolkit.fluxcd.io/v2"]), st.integers()
        ),
        "kind": st.one_of(st.sampled_from(["Pod", "Deployment", "HelmRelease"]), st.integers()),
        "metadata": st.one_of(_META, st.none()),
        "spec": _SECTION,
        "status": _SECTION,
    },
)


def _by_constructor(raw: dict[str, Any]) -> Resource:
    meta = raw.get("metadata") or {}
    name = meta.get("name", "")
    return Resource(
        str(raw.get("apiVersion", "")),
        str(raw.get("kind", "")),
        meta.get("namespace") or None,
        name if isinstance(name, str) else str(name),
        raw,
    )


@given(_RAW)
def test_from_raw_fills_every_field_as_the_constructor_does(raw: dict[str, Any]) -> None:
    fast, slow = Resource.from_raw(raw), _by_constructor(raw)
    assert type(fast) is Resource  # filled in as another class of the same layout, then made a Resource
    fields = [name for cls in Resource.__mro__ for name in getattr(cls, "__slots__", ())]
    assert len(fields) == 10
    for field in fields:  # a field added later and not filled in fails here
        assert getattr(fast, field) == getattr(slow, field), field
    assert fast == slow and hash(fast) == hash(slow)


def test_a_resource_stays_frozen() -> None:
    res = Resource.from_raw({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "n"}})
    with pytest.raises(AttributeError, match="frozen"):
        res.name = "other"
    with pytest.raises(AttributeError, match="frozen"):
        del res.raw
    assert (res.gk, res.namespace, res.labels, res.spec) == ("Pod", "n", {}, {})


def test_a_resource_is_equal_hashed_and_shown_by_its_identity_only() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "n"}, "spec": {"a": 1}}
    same = Resource.from_raw({**pod, "spec": {"a": 2}, "status": {"phase": "Running"}})
    res = Resource.from_raw(pod)
    assert res == same and hash(res) == hash(same) and len({res, same}) == 1
    assert res != Resource.from_raw({**pod, "metadata": {"name": "p", "namespace": "other"}})
    assert res != ("v1", "Pod", "n", "p")
    assert repr(res) == "Resource(api_version='v1', kind='Pod', namespace='n', name='p', gk='Pod')"
    assert type(res.ref) is ObjectRef and res.ref == ObjectRef("Pod", "n", "p") and str(res.ref) == "Pod n/p"
