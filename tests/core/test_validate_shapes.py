"""The load-time type validation remembers a plan per shape of map: it must answer exactly what the validation
answered before (``validate_reference``: the former fast path, then the path that names the field), for
real objects with wrong values at every checked place, and keep its memory bounded and free of objects."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homelabctl.k8s import shape
from homelabctl.sources import validate
from homelabctl.sources.snapshot import demo_snapshot_path
from homelabctl.sources.validate import malformed_field, malformed_sections
from validate_reference import reference_malformed_field

DEMO = [
    obj
    for path in sorted(Path(demo_snapshot_path()).glob("*.yaml"))
    for doc in yaml.safe_load_all(path.read_text())
    if doc
    for obj in doc.get("items", [doc])
]
CHECKED_NAMES = sorted(
    {
        *validate._WORKLOAD,
        *validate._METADATA,
        *validate._CONTAINER,
        *validate._CONTAINER_STATUS,
        *validate._HELM_SPEC,
        *(name for fields in validate._BY_KIND.values() for name in fields),
        *validate._TOP,
        "jobTemplate",
        "template",
        "spec",
        "ownerReferences",
        "active",
    }
)
"""Every name a table checks, wherever it is put: a checked field at an unchecked place must stay unchecked."""

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([3.5, 2**70, "", "zzz", "[red]x[/red]"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(CHECKED_NAMES), inner, max_size=3),
    ),
    max_leaves=6,
)
"""Values of every JSON type, maps keyed by checked names: lists of maps with wrong fields, None..."""
KINDS = st.sampled_from(
    ["Pod", "CronJob", "HelmRelease", "Kustomization", "Event", "Secret", "Deployment", 7]
)
API_VERSIONS = st.sampled_from(
    ["v1", "apps/v1", "batch/v1", "helm.toolkit.fluxcd.io/v2", "longhorn.io/v1", None]
)


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every map and list in an object, by path (its items' places too, up to a depth every table covers)."""
    found = [path]
    if len(path) < 7:
        items = node.items() if type(node) is dict else enumerate(node) if type(node) is list else ()
        for key, value in items:
            if type(value) in (dict, list):
                found.extend(_places(value, (*path, key)))
    return found


def _at(obj: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        obj = obj[key]
    return obj


@st.composite
def objects(draw: st.DrawFn) -> dict[str, Any]:
    obj: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(DEMO)))
    for _ in range(draw(st.integers(0, 3))):
        place = _at(obj, draw(st.sampled_from(_places(obj))))
        value = draw(VALUES)
        if type(place) is dict:
            name = draw(st.one_of(st.sampled_from(CHECKED_NAMES), st.sampled_from(sorted(place) or ["x"])))
            if draw(st.booleans()) and name in place:
                del place[name]
            else:
                place[name] = value
        elif place:
            place[draw(st.integers(0, len(place) - 1))] = value
        else:
            place.append(value)
    if draw(st.integers(0, 5)) == 0:
        obj["kind"] = draw(KINDS)
    if draw(st.integers(0, 5)) == 0:
        obj["apiVersion"] = draw(API_VERSIONS)
    return obj


def _assert_same(obj: dict[str, Any]) -> None:
    expected = reference_malformed_field(obj)
    meta, spec, status = shape.sections(obj)
    for _ in range(2):  # the shape's plan made, then remembered
        assert malformed_field(obj) == expected, obj
        assert malformed_sections(obj, obj.get("kind"), obj.get("apiVersion"), meta, spec, status) == expected


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects())
def test_the_shape_plans_answer_as_the_validation_did(obj: dict[str, Any]) -> None:
    _assert_same(obj)


def test_one_object_of_each_kind_with_each_field_of_the_wrong_type() -> None:
    """Every field of one object of each kind in turn (those the tables check and the others) set to a value of
    each wrong type; and the checked names added to each map."""
    wrong: list[Any] = [None, "zzz", 7, True, [], ["x"], [{}], {}]
    kinds = {(obj["apiVersion"], obj["kind"]): obj for obj in DEMO}
    for base in kinds.values():
        _assert_same(base)
        for path in _places(base):
            place = _at(base, path)
            names = sorted(place) if type(place) is dict else range(len(place))
            for name in names:
                for value in wrong:
                    obj = copy.deepcopy(base)
                    _at(obj, path)[name] = value
                    _assert_same(obj)
            if type(place) is dict and len(path) < 3:
                for name in CHECKED_NAMES:
                    obj = copy.deepcopy(base)
                    _at(obj, path)[name] = "zzz"
                    _assert_same(obj)


def _leaves(value: Any) -> list[Any]:
    return [leaf for part in value for leaf in _leaves(part)] if type(value) is tuple else [value]


def test_the_plans_stay_bounded_and_hold_no_object() -> None:
    """Plans hold strings (keys, kinds, apiVersions), types and tables, never a map or a list of an object;
    a snapshot of ever new shapes cannot make them grow past their bound, nor keep its long keys."""
    pod = next(obj for obj in DEMO if obj["kind"] == "Pod")
    for i in range(2 * validate._PLANS_LIMIT + validate._PLANS_LIMIT // 2):  # filled twice, then half
        obj = copy.deepcopy(pod)
        obj["spec"][f"field{i}"] = {"replicas": "zzz"}
        obj["status"]["containerStatuses"][0][f"field{i}"] = 1
        _assert_same(obj)
        long_key = copy.deepcopy(pod)
        long_key["metadata"]["x" * 200 + str(i)] = 1
        _assert_same(long_key)
    tables = [
        validate._SECTION,
        validate._CONTAINER_STATUS_TABLE,
        validate._METADATA_TABLE,
        validate._FLUX_SPEC_TABLE,
        *validate._EXTRA_TOP.values(),
    ]
    plans: list[dict[tuple[Any, ...], Any]] = [validate._OBJECT_PLANS, *(table.plans for table in tables)]
    assert len(validate._OBJECT_PLANS) > 100 and len(validate._CONTAINER_STATUS_TABLE.plans) > 100
    for remembered in plans:
        assert len(remembered) <= validate._PLANS_LIMIT
        for key, plan in remembered.items():
            assert all(
                part is None or (type(part) is str and len(part) <= 128)
                for part in key
                if part is not validate._NEXT_MAP
            )
            assert all(
                type(leaf) in (str, int, bool, type, validate._Table) or leaf is None
                for leaf in _leaves(plan)
            )


def test_a_field_is_named_only_where_the_fast_path_refuses_it_alone() -> None:
    """``ownerReferences`` items are looked at on Flux's kinds only: a Deployment owned by ``[1]`` is
    admitted (its readers take any item), so when it also fails elsewhere, that other field is the one
    named; a HelmRelease owned by ``[1]`` is refused for it."""
    deployment = copy.deepcopy(next(obj for obj in DEMO if obj["kind"] == "Deployment"))
    deployment["metadata"]["ownerReferences"] = [1]
    assert malformed_field(deployment) is None
    deployment["spec"]["replicas"] = "zzz"
    assert malformed_field(deployment) == "spec.replicas: expected an integer, got 'zzz'"
    release = copy.deepcopy(next(obj for obj in DEMO if obj["kind"] == "HelmRelease"))
    release["metadata"]["ownerReferences"] = [1]
    assert malformed_field(release) == "metadata.ownerReferences[0]: expected a map, got 1"
