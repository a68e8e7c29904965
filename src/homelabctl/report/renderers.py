"""Which renderer draws which ``-o`` format of which command: one line per format, imported only when used.

A renderer is a function in a ``report/render_*.py`` module. It takes the report dict (``report.build``) and
returns text, or, for a terminal renderer, also a rich Console it draws on and returns nothing. It may accept
the keyword options its entry names: ``verbose`` (list everything) and ``success`` (the run passes
``--fail-on``). The CLI asks ``for_output`` which entry applies and ``render`` calls it: no format name is
spelled out in a command, and ``homelabctl --help`` or ``check -o json`` import no renderer they do not use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import msgspec


class Renderer(msgspec.Struct, frozen=True):
    command: str
    """The command whose ``-o`` it serves: ``check``, ``diagnose`` or ``scan``."""
    name: str
    """The ``-o`` value."""
    target: str
    """``module:function``, imported when the format is asked for."""
    takes_report: bool = True
    """True: ``function(report, **options) -> str``, written to stdout or ``--output-file``. False: a terminal
    renderer, ``function(report, console, **options)``, which draws on the terminal itself."""
    options: tuple[str, ...] = ()
    """The keyword options the function accepts (``verbose``, ``success``)."""
    piped: str = ""
    """For a terminal renderer: the format used when the output is a file or a pipe (plain text)."""
    envelope: bool = False
    """The report is the v2 envelope (``--schema v2``) rather than the v1 report dict."""

    def load(self) -> Callable[..., Any]:
        module, _, attr = self.target.partition(":")
        found: Callable[..., Any] = getattr(importlib.import_module(module), attr)
        return found


RENDERERS: tuple[Renderer, ...] = (
    Renderer("check", "table", "homelabctl.report.render_table:render_table", False, ("verbose",), "text"),
    Renderer("check", "text", "homelabctl.report.render_plain:check_text", options=("verbose",)),
    Renderer("check", "json", "homelabctl.report.render_json:render_json", envelope=True),
    Renderer("check", "markdown", "homelabctl.report.render_markdown:render_markdown"),
    Renderer(
        "check", "prometheus", "homelabctl.report.render_prometheus:render_prometheus", options=("success",)
    ),
    Renderer("check", "junit", "homelabctl.report.render_junit:render_junit"),
    Renderer(
        "diagnose",
        "table",
        "homelabctl.report.render_diagnose:render_diagnose_tree",
        False,
        ("verbose",),
        "text",
    ),
    Renderer("diagnose", "text", "homelabctl.report.render_plain:diagnose_text", options=("verbose",)),
    Renderer("diagnose", "json", "homelabctl.report.render_json:render_diagnose_json"),
    Renderer("diagnose", "markdown", "homelabctl.report.render_diagnose:render_diagnose_markdown"),
    # scan renders a ScanReport (scan.engine), not the check report dict
    Renderer(
        "scan", "table", "homelabctl.scan.render:render_table", False, ("list_objects", "verbose"), "text"
    ),
    Renderer("scan", "text", "homelabctl.scan.render:to_text", options=("verbose", "list_objects")),
    Renderer("scan", "json", "homelabctl.scan.render:json_text", options=("schema",)),
    Renderer("scan", "sarif", "homelabctl.scan.render:sarif_text", options=("uri_prefix",)),
    Renderer("scan", "markdown", "homelabctl.scan.render:to_markdown", options=("verbose",)),
)
"""Every format; ``text`` is the plain form of ``table`` when the output is not a terminal, and not offered
as an ``-o`` value of its own."""


def _entries(command: str) -> dict[str, Renderer]:
    found = {r.name: r for r in RENDERERS if r.command == command}
    if not found:
        raise KeyError(f"no renderers for command {command!r}")
    return found


def formats(command: str) -> list[str]:
    """The ``-o`` values of a command, in registry order (the plain-text fallbacks are not among them)."""
    entries = _entries(command)
    piped = {r.piped for r in entries.values() if r.piped}
    return [name for name in entries if name not in piped]


def for_output(command: str, name: str, *, terminal: bool) -> Renderer:
    """The entry for ``-o name``; a terminal renderer's plain fallback when the output is not a terminal."""
    entries = _entries(command)
    found = entries[name]
    if not found.takes_report and not terminal:
        return entries[found.piped]
    return found


def render(renderer: Renderer, report: Any, console: Any = None, **options: object) -> str | None:
    """Call the renderer with the options it accepts; the text for a report renderer, None for a terminal one."""
    function = renderer.load()
    accepted = {key: value for key, value in options.items() if key in renderer.options}
    if renderer.takes_report:
        text: str = function(report, **accepted)
        return text
    function(report, console, **accepted)
    return None
