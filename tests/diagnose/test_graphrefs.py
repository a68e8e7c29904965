"""The diagnosis's own readers (k8s/graphrefs.py): fast paths held to the general readings they shortcut."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from homelabctl.k8s import graphrefs, routes, services
from homelabctl.k8s._raw import mapping, mappings, string_map, text
from homelabctl.model import Resource

_SCALARS = st.one_of(
    st.text(max_size=3), st.integers(-2, 2), st.booleans(), st.none(), st.floats(allow_nan=False)
)
_VALUES = st.one_of(
    _SCALARS, st.lists(_SCALARS, max_size=2), st.dictionaries(st.text(max_size=2), _SCALARS, max_size=2)
)
_KEYS = st.one_of(st.text(max_size=3), st.integers(0, 3))  # YAML keys need not be text


@given(st.one_of(st.dictionaries(_KEYS, _VALUES, max_size=4), _SCALARS, st.lists(_SCALARS, max_size=2)))
def test_selector_key_is_the_first_pair_services_reads(selector: Any) -> None:
    service = {"apiVersion": "v1", "kind": "Service", "spec": {"selector": selector}}
    assert graphrefs.selector_key(service) == next(iter(string_map(selector).items()), None)
    assert graphrefs.selector_key(Resource.from_raw(service)) == graphrefs.selector_key(service)
    parsed = services.selector(service)
    if parsed is not None and parsed.equality_pairs():
        # every pod the selector matches carries the key: it may index the Service
        assert graphrefs.selector_key(service) == parsed.equality_pairs()[0]


def test_has_annotation() -> None:
    pod = {"metadata": {"annotations": {"helm.sh/hook": "pre-install"}}}
    assert graphrefs.has_annotation(pod, "helm.sh/hook")
    assert not graphrefs.has_annotation(pod, "other")
    assert not graphrefs.has_annotation({"metadata": {"annotations": ["helm.sh/hook"]}}, "helm.sh/hook")
    assert not graphrefs.has_annotation({"metadata": {}}, "helm.sh/hook")
    assert graphrefs.has_annotation(Resource.from_raw({"kind": "Pod", **pod}), "helm.sh/hook")
    assert not graphrefs.has_annotation(Resource.from_raw({"kind": "Pod", "metadata": {}}), "helm.sh/hook")


@given(
    st.lists(
        st.one_of(_VALUES, st.dictionaries(st.sampled_from(["helm.sh/hook", "x"]), _SCALARS)), max_size=4
    )
)
def test_annotated_keeps_the_objects_has_annotation_finds(annotations: list[Any]) -> None:
    docs = [
        {"kind": "Pod", "metadata": {"name": str(i), "annotations": a}} for i, a in enumerate(annotations)
    ]
    docs.append({"kind": "Pod", "metadata": {"name": "bare"}})
    for objs in (docs, [Resource.from_raw(doc) for doc in docs]):
        assert graphrefs.annotated(objs, "helm.sh/hook") == [
            obj for obj in objs if graphrefs.has_annotation(obj, "helm.sh/hook")
        ]


def test_flux_wiring_of_a_helmrelease_with_its_source_under_the_chart() -> None:
    hr = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "app", "namespace": "team"},
        "spec": {
            "chart": {"spec": {"chart": "app", "sourceRef": {"kind": "HelmRepository", "name": "charts"}}},
            "valuesFrom": [{"kind": "Secret", "name": "app-values", "namespace": "elsewhere"}],
            "dependsOn": [{"name": "db"}],
            "targetNamespace": "apps",
        },
    }
    wiring = graphrefs.flux_wiring(hr)
    assert wiring.sources == (graphrefs.Ref("HelmRepository", "team", "charts"),)
    assert wiring.values_from == (graphrefs.Ref("Secret", "team", "app-values"),)  # valuesFrom is local
    assert wiring.depends_on == (graphrefs.Ref("HelmRelease", "team", "db"),)
    assert (wiring.release_name, wiring.storage_namespace) == ("apps-app", "apps")
    assert graphrefs.inventory_entry_ids(hr, ("_HelmRelease",)) == []


def _backends_as_written(route: dict[str, Any]) -> tuple[tuple[str | None, str], ...]:
    """rules[].backendRefs[] of kind Service (the default), namespace defaulted: the plain reading."""
    own = text(mapping(route.get("metadata")).get("namespace")) or None
    return tuple(
        (text(b.get("namespace")) or own, text(b.get("name")))
        for rule in mappings(mapping(route.get("spec")).get("rules"))
        for b in mappings(rule.get("backendRefs"))
        if (text(b.get("kind")) or "Service") == "Service" and text(b.get("name"))
    )


_BACKENDS = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {"name": st.one_of(st.sampled_from(["web", ""]), _SCALARS)},
            optional={
                "kind": st.one_of(st.sampled_from(["Service", "ServiceImport", ""]), _SCALARS),
                "namespace": st.one_of(st.sampled_from(["other", ""]), _SCALARS),
            },
        ),
        _SCALARS,
    ),
    max_size=3,
)


@given(
    st.lists(st.one_of(st.fixed_dictionaries({}, optional={"backendRefs": _BACKENDS}), _SCALARS), max_size=3),
    st.one_of(st.just("apps"), _SCALARS),
)
def test_route_backends_read_every_service_backend(rules: list[Any], namespace: Any) -> None:
    route = {"kind": "HTTPRoute", "metadata": {"name": "r", "namespace": namespace}, "spec": {"rules": rules}}
    assert graphrefs.route_backends(route) == _backends_as_written(route)
    assert graphrefs.route_links(route).services == _backends_as_written(route)
    # the graph reads the checks' reading of the rules (shared in a run): the same Services
    shared = tuple((b.namespace, b.name) for b in routes.backend_refs(route) if b.kind == "Service")
    assert shared == _backends_as_written(route)


def _flux_references_as_written(res: dict[str, Any]) -> graphrefs.FluxReferences:
    """The references as ``flux_wiring`` read them before its shortcut: the plain reading."""

    def ref(entry: Any, kind: str | None, own: str | None, default: str) -> graphrefs.Ref | None:
        entry = mapping(entry)
        name, entry_kind = text(entry.get("name")), kind or text(entry.get("kind")) or default
        return (
            graphrefs.Ref(entry_kind, text(entry.get("namespace")) or own, name)
            if name and entry_kind
            else None
        )

    def refs(entries: Any, kind: str | None, own: str | None, default: str = "") -> tuple[graphrefs.Ref, ...]:
        found = (ref(e, kind, own, default) for e in mappings(entries)) if entries else ()
        return tuple(r for r in found if r is not None)

    spec, metadata = mapping(res.get("spec")), mapping(res.get("metadata"))
    own = text(metadata.get("namespace")) or None
    source = mapping(spec.get("sourceRef")) or mapping(
        mapping(mapping(spec.get("chart")).get("spec")).get("sourceRef")
    )
    sources = refs([source], None, own, "GitRepository") if source else ()
    if spec.get("chartRef"):
        sources += refs([spec.get("chartRef")], None, own, "OCIRepository")
    return (
        sources,
        refs(spec.get("dependsOn"), text(res.get("kind")), own),
        tuple(
            graphrefs.Ref(r.kind, own, r.name) for r in refs(spec.get("valuesFrom"), None, own, "ConfigMap")
        ),
        refs(spec.get("healthChecks"), None, own),
        spec.get("wait") is True,
    )


_REF_ENTRY = st.one_of(
    _SCALARS,
    st.fixed_dictionaries(
        {},
        optional={
            "kind": st.sampled_from(["", "HelmRepository", "Secret", 3]),
            "name": st.sampled_from(["", "x", 7, None]),
            "namespace": st.sampled_from(["", "ns", None, 1]),
        },
    ),
)
_REF_LIST = st.one_of(_SCALARS, st.lists(_REF_ENTRY, max_size=2))


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "sourceRef": _REF_ENTRY,
            "chart": st.one_of(
                _SCALARS,
                st.fixed_dictionaries(
                    {}, optional={"spec": _VALUES | st.fixed_dictionaries({"sourceRef": _REF_ENTRY})}
                ),
            ),
            "chartRef": _REF_ENTRY,
            "dependsOn": _REF_LIST,
            "valuesFrom": _REF_LIST,
            "healthChecks": _REF_LIST,
            "wait": _SCALARS,
        },
    ),
    st.sampled_from(["team", "", None, 5]),
    st.sampled_from(["HelmRelease", "Kustomization", None]),
)
def test_flux_references_are_the_plain_reading(spec: dict[str, Any], namespace: Any, kind: Any) -> None:
    res = {"kind": kind, "metadata": {"name": "app", "namespace": namespace}, "spec": spec}
    assert graphrefs.flux_references(res) == _flux_references_as_written(res)
    # a loaded object's sections are read from the Resource, a document's through ``section``: the same
    loaded = Resource.from_raw(res)
    assert graphrefs.flux_references(loaded) == graphrefs.flux_references(res)
    assert graphrefs.inventory_entry_ids(loaded, ("_HelmRelease",)) == graphrefs.inventory_entry_ids(
        res, ("_HelmRelease",)
    )
    wiring = graphrefs.flux_wiring(res)
    assert (wiring.sources, wiring.depends_on, wiring.values_from, wiring.health_checks, wiring.wait) == (
        graphrefs.flux_references(res)
    )
