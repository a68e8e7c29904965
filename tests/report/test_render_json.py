"""``-o json`` text is exactly what ``json.dumps(indent=2, ensure_ascii=False)`` writes, whatever the values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from homelabctl.analysis import analyze
from homelabctl.report.render_json import indented, render_diagnose_json, render_json
from homelabctl.sources.snapshot import demo_source

VALUES: list[Any] = [
    1e16,
    1.5e-07,
    1e-05,
    -0.0,
    0.1,
    5e-324,
    1.7976931348623157e308,
    10**30,
    -(10**25),
    True,
    None,
    'quote " backslash \\ newline \n tab \t nul \x00 del \x7f line-sep \u2028',
    "é ü 😀 日本",
    [],
    {},
    [[], {}, [{}]],
    {"a": {"b": [1, [2, {}], {"c": None}]}},
    {1: "int key", 2.5: "float key", None: "null key", False: "bool key"},
    float("nan"),  # json writes NaN; the compact path refuses it
    float("-inf"),
    "lone \udc80 surrogate",
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_indented_is_json_dumps_with_indent(value: Any) -> None:
    payload = {"value": value, "list": [value, {"nested": value}]}
    assert indented(payload) == json.dumps(payload, indent=2, ensure_ascii=False)


def test_what_json_cannot_encode_fails_as_before() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented({"a": {1, 2}})


def test_the_demo_reports_are_rendered_as_json_dumps_does() -> None:
    report: dict[str, Any] = analyze(demo_source().load()).report
    assert render_json(report) == json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    diagnosed = json.loads(render_diagnose_json(report))
    assert render_diagnose_json(report) == json.dumps(diagnosed, indent=2, ensure_ascii=False) + "\n"
