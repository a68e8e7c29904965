"""The renderer registry: every entry resolves, fallbacks exist, and a format imports only its own renderer."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from homelabctl.report import renderers


@pytest.mark.parametrize("entry", renderers.RENDERERS, ids=lambda r: f"{r.command}-{r.name}")
def test_every_entry_resolves_and_accepts_its_options(entry: renderers.Renderer) -> None:
    function = entry.load()
    params = inspect.signature(function).parameters
    assert all(option in params for option in entry.options), (entry.name, list(params))
    if not entry.takes_report:
        assert entry.piped and renderers.for_output(entry.command, entry.name, terminal=False).takes_report


def test_formats_are_the_cli_choices() -> None:
    assert renderers.formats("check") == ["table", "json", "markdown", "prometheus", "junit"]
    assert renderers.formats("diagnose") == ["table", "json", "markdown"]
    assert renderers.formats("scan") == ["table", "json", "sarif", "markdown"]
    assert renderers.for_output("check", "table", terminal=True).name == "table"
    assert renderers.for_output("check", "table", terminal=False).name == "text"
    assert renderers.for_output("check", "json", terminal=True).name == "json"
    with pytest.raises(KeyError):
        renderers.formats("nonexistent")


def test_render_passes_only_the_options_a_renderer_takes() -> None:
    markdown = renderers.for_output("diagnose", "json", terminal=False)
    report = {"schema": "s", "source": "demo", "root_causes": [], "findings": [], "scores": {}}
    text = renderers.render(markdown, report, verbose=True, success=False)
    assert text is not None and '"root_causes": []' in text


def test_check_json_imports_no_other_renderer() -> None:
    code = (
        # the command leaves with os._exit once its output is flushed: a SystemExit here, to list the modules
        "import os, sys\ndef leave(code):\n    raise SystemExit(code)\nos._exit = leave\n"
        "from homelabctl.cli import main\ntry:\n    main(['check', '--demo', '-o', 'json'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('homelabctl.report.render_')), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip().splitlines()[-1] == "['homelabctl.report.render_json']"
