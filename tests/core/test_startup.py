"""Start-up pays only for the path taken: patterns compiled on first use, modules imported where needed.

A ``check`` process on a 10,000-object snapshot has a budget of a few hundred milliseconds; its imports used to
take a fifth of it. These tests keep the costs removed from coming back; the figures are in the commits and in
benchmarks/README.md.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from homelabctl.lazyre import LazyPattern

from factories import node, pod

_PATTERNS = (
    (r"\b(secret|configmap)s? \"([^\"]+)\" not found", re.IGNORECASE),
    (r"^(?P<key>[a-z]+)=(?P<value>.*)$", re.MULTILINE),
    (r"(\d+)", 0),
)


@given(st.sampled_from(_PATTERNS), st.text(alphabet='aZ=9 "secrt\nconfigmp', max_size=40))
def test_a_lazy_pattern_answers_as_the_compiled_one(spec: tuple[str, int], text: str) -> None:
    compiled = re.compile(*spec)
    lazy = LazyPattern(*spec)
    for _ in range(2):  # the first call compiles, the second goes to the compiled pattern's own methods
        assert repr(lazy.search(text)) == repr(compiled.search(text))
        assert repr(lazy.match(text)) == repr(compiled.match(text))
        assert repr(lazy.fullmatch(text)) == repr(compiled.fullmatch(text))
        assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
        assert lazy.findall(text) == compiled.findall(text)
        assert lazy.sub("-", text) == compiled.sub("-", text)
        assert lazy.split(text) == compiled.split(text)
        assert lazy.compiled() is lazy.compiled()


def test_a_lazy_pattern_compiles_on_first_use_and_binds_the_compiled_methods() -> None:
    lazy = LazyPattern(r"x(y)")
    assert "search" not in vars(lazy)
    assert lazy.sub(lambda m: m.group(1), "axyb", 1) == "ayb"
    assert vars(lazy)["search"] == lazy.compiled().search and lazy.pattern == r"x(y)"


# Run in a fresh process: which patterns a module compiles when it is imported, on the whole check path
# (the modules `check` imports lazily while it runs included).
_COMPILED_AT_IMPORT = """
import json, os, re, sys
found = []
_compile = re._compile
def spy(pattern, flags):
    caller = sys._getframe(1)
    while caller.f_globals.get("__name__") == "re":
        caller = caller.f_back
    module = caller.f_globals.get("__name__", "")
    if caller.f_code.co_name == "<module>" and module.startswith("homelabctl"):
        found.append([module, str(pattern)])
    return _compile(pattern, flags)
re._compile = spy
def leave(code):
    raise SystemExit(code)
os._exit = leave
from homelabctl.cli import main
try:
    main(["check", "--demo", "-o", "json"])
except SystemExit:
    pass
print(json.dumps(found), file=sys.stderr)
"""

# Compiled at import on purpose, each with its reason.
_EAGER = {
    # bytes, on the load path of every snapshot file
    "homelabctl.sources.snapshot",
}


def test_the_check_path_compiles_no_pattern_at_import() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _COMPILED_AT_IMPORT], capture_output=True, text=True, timeout=120, check=True
    )
    found = [(module, pattern) for module, pattern in json.loads(out.stderr.strip().splitlines()[-1])]
    assert [hit for hit in found if hit[0] not in _EAGER] == [], (
        "module-level re.compile on the check path: use homelabctl.lazyre.LazyPattern"
    )


def test_start_up_pauses_the_collector_only_while_it_imports() -> None:
    """The CLI imports with the cyclic GC paused (nothing it builds is garbage): the collector must be on again
    afterwards, in the CLI module and after a check, or a long-running `watch` would never collect cycles."""
    code = (
        "import gc, os, sys\ndef leave(code):\n    raise SystemExit(code)\nos._exit = leave\n"
        "import homelabctl.cli\nafter_import = gc.isenabled()\n"
        "try:\n    homelabctl.cli.main(['check', '--demo', '-o', 'json'])\nexcept SystemExit:\n    pass\n"
        "print(after_import, gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stderr.strip().splitlines()[-1] == "True True True"


# What `check --snapshot x.json -o json` never needs: output libraries for other formats, other inputs (YAML,
# tarballs, a live API), the paperwork's and the scanner's dependencies, and the stdlib modules they pull in.
NOT_ON_THE_JSON_PATH = (
    "aiohttp",
    "asyncio",
    "concurrent",
    "detect_secrets",
    "email",
    "gzip",
    "hashlib",
    "http",
    "importlib.metadata",
    "jsonschema",
    "kubernetes",
    "logging",
    "platformdirs",
    "prometheus_client",
    "pydantic",
    "random",
    "requests",
    "rich",
    "shutil",
    "socket",
    "sqlite3",
    "ssl",
    "subprocess",
    "tarfile",
    "tempfile",
    "xml",
    "yaml",
    "zipfile",
)


def _node_down_snapshot(tmp_path: Path) -> Path:
    items = [
        node("k3s1", ready="Unknown", since=timedelta(days=1)),
        node("k3s2"),
        pod("web-1", node_name="k3s1"),
    ]
    snapshot = tmp_path / "snap.json"
    snapshot.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    return snapshot


def test_a_json_check_imports_none_of_what_it_does_not_need(tmp_path: Path) -> None:
    snapshot = _node_down_snapshot(tmp_path)
    code = (
        "import sys\nfrom homelabctl.cli import main\n"
        "try:\n    main(['check', '--snapshot', sys.argv[1], '-o', 'json'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {NOT_ON_THE_JSON_PATH!r} if m in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(snapshot)], capture_output=True, text=True, timeout=120, check=True
    )
    assert '"root_causes"' in out.stdout
    assert out.stderr.strip().splitlines()[-1] == "[]"


def test_a_check_process_leaves_once_its_output_is_flushed(tmp_path: Path) -> None:
    """Freeing the snapshot object by object at interpreter exit is work no one waits for: a command-line run
    (``cli.run``: the console script, ``python -m homelabctl``) leaves with ``os._exit`` as soon as the report
    is out, with the report whole and the exit code it always had. (When an atexit handler is registered it
    exits normally instead: tests/cli/test_process_exit.py.)"""
    snapshot = _node_down_snapshot(tmp_path)
    code = (
        "import os, sys\nreal_exit = os._exit\n"
        "def leave(code):\n    print('left', code, file=sys.stderr, flush=True)\n    real_exit(code)\n"
        "os._exit = leave\nfrom homelabctl.cli import run\nrun()\n"
    )
    for command, exit_code in (("check", 1), ("diagnose", 1), ("check", 0)):
        args = [command, "--snapshot", str(snapshot), "-o", "json"] + (
            ["--fail-on", "never"] if exit_code == 0 else []
        )
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
        assert (out.returncode, out.stderr) == (exit_code, f"left {exit_code}\n")
        assert '"rule": "node-down"' in out.stdout and json.loads(out.stdout)
