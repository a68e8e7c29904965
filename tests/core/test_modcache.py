"""The module cache (``homelabctl.modcache``): a later run reads homelabctl's modules from it, a changed
source is never served from it, a bad cache file is ignored, and nothing is written where Python writes no
bytecode."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from homelabctl import modcache

_LOADER_OF_CHECKS = (
    "import sys\n"
    "from homelabctl import modcache\n"
    "modcache.install('rules')\n"
    "import homelabctl.checks.registry\n"
    "print(type(sys.modules['homelabctl.checks.registry'].__spec__.loader).__name__)\n"
)


def _env(prefix: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(prefix)  # the tree's own __pycache__ is left alone
    return env


def test_a_later_run_reads_homelabctl_modules_from_the_cache(tmp_path: Path) -> None:
    env = _env(tmp_path / "pycache")
    for _ in range(2):  # the first run writes the bytecode, the second the cache from it
        subprocess.run(
            [sys.executable, "-m", "homelabctl", "rules"], env=env, capture_output=True, check=True
        )
    loader = subprocess.run(
        [sys.executable, "-c", _LOADER_OF_CHECKS], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loader == "_CachedLoader"
    cache = subprocess.run(
        [sys.executable, "-c", "from homelabctl import modcache; print(modcache.cache_file('rules'))"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert cache.startswith(str(tmp_path / "pycache")) and Path(cache).is_file()


def test_nothing_is_cached_where_python_writes_no_bytecode(tmp_path: Path) -> None:
    env = {**_env(tmp_path / "pycache"), "PYTHONDONTWRITEBYTECODE": "1"}
    for _ in range(2):
        subprocess.run(
            [sys.executable, "-m", "homelabctl", "rules"], env=env, capture_output=True, check=True
        )
    assert not list((tmp_path / "pycache").rglob("modules-*.bin"))
    loader = subprocess.run(
        [sys.executable, "-c", _LOADER_OF_CHECKS], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loader == "SourceFileLoader"


def _entry(source: Path, code: str, *, mtime_ns: int | None = None) -> modcache.Entry:
    found = source.stat()
    compiled = compile(code, str(source), "exec")
    return (
        str(source),
        False,
        found.st_mtime_ns if mtime_ns is None else mtime_ns,
        found.st_size,
        marshal.dumps(compiled),
    )


def test_a_module_is_served_only_while_its_source_is_unchanged(tmp_path: Path) -> None:
    source = tmp_path / "cached_module.py"
    source.write_text("WHERE = 'source'\n")
    fresh = modcache.CachedModules.holding(
        "rules", {"homelabctl.cached_module": _entry(source, "WHERE = 'cache'\n")}
    )
    spec = fresh.find_spec("homelabctl.cached_module")
    assert spec is not None and spec.loader is not None and spec.origin == str(source)
    module = type(sys)("homelabctl.cached_module")
    spec.loader.exec_module(module)
    assert module.WHERE == "cache" and not fresh.missed
    assert fresh.entries == {}  # served: its code is no longer held

    stale_entry = _entry(source, "WHERE = 'cache'\n", mtime_ns=source.stat().st_mtime_ns - 1)
    stale = modcache.CachedModules.holding("rules", {"homelabctl.cached_module": stale_entry})
    assert stale.find_spec("homelabctl.cached_module") is None and stale.missed
    assert stale.find_spec("json") is None  # other packages are never its business


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"garbage",
        modcache._FORMAT + b"\x00not marshal",
        modcache._FORMAT + len(marshal.dumps([1, 2])).to_bytes(8, "little") + marshal.dumps([1, 2]),
        modcache._FORMAT + (2**40).to_bytes(8, "little"),
        modcache._FORMAT + (100).to_bytes(8, "little") + b"short",
    ],
)
def test_a_bad_cache_file_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "modules.bin"
    path.write_bytes(content)
    assert modcache._read(str(path)) is None
    assert modcache._read(str(tmp_path / "absent.bin")) is None


def test_saving_writes_nothing_without_a_miss_or_where_bytecode_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "modules.bin"
    monkeypatch.setattr(modcache, "cache_file", lambda command: str(target))
    finder = modcache.CachedModules("rules", {})
    modcache.save_if_missed(finder)  # nothing missed
    assert not target.exists()
    finder.missed = True
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    modcache.save_if_missed(finder)
    assert not target.exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    modcache.save_if_missed(finder)
    assert modcache._read(str(target)) is not None and not finder.missed


def test_saving_keeps_what_the_cache_held_and_this_run_did_not_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs of one command that import different modules (``check`` and ``check -o json``) must not each
    write the cache anew: the modules the other run imported stay in it, while their source is unchanged."""
    target = tmp_path / "modules.bin"
    monkeypatch.setattr(modcache, "cache_file", lambda command: str(target))
    kept_source = tmp_path / "only_the_table_imports.py"
    kept_source.write_text("WHERE = 'source'\n")
    stale_source = tmp_path / "changed_since.py"
    stale_source.write_text("WHERE = 'source'\n")
    kept = _entry(kept_source, "WHERE = 'cache'\n")
    stale = _entry(stale_source, "WHERE = 'cache'\n", mtime_ns=stale_source.stat().st_mtime_ns - 1)
    finder = modcache.CachedModules.holding(
        "check", {"homelabctl.only_the_table_imports": kept, "homelabctl.changed_since": stale}
    )
    finder.missed = True
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    modcache.save_if_missed(finder)
    saved = modcache._read(str(target))
    assert saved is not None
    index, blobs = saved
    located = index["homelabctl.only_the_table_imports"]
    assert (*located[:4], blobs.read(located[4], located[5])) == kept
    assert "homelabctl.changed_since" not in index


def test_alternating_outputs_of_one_command_stop_writing_the_cache(tmp_path: Path) -> None:
    env = _env(tmp_path / "pycache")
    # the table and the JSON report import different renderers
    runs = [["check", "--demo"], ["check", "--demo", "-o", "json"]]
    for argv in runs * 2:  # bytecode, then a cache holding both runs' modules
        subprocess.run([sys.executable, "-m", "homelabctl", *argv], env=env, capture_output=True, check=False)
    (cache,) = (tmp_path / "pycache").rglob("modules-check.*.bin")
    written = cache.stat().st_mtime_ns
    for argv in runs:
        subprocess.run([sys.executable, "-m", "homelabctl", *argv], env=env, capture_output=True, check=False)
    assert cache.stat().st_mtime_ns == written
