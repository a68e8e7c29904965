"""Start-up: homelabctl's own modules read from one file of their compiled code.

Importing a module costs CPython's import machinery a few hundred thousand instructions besides running it:
a search of the package directory, a ``stat`` of the source and one of the bytecode, an ``open`` and a
``read`` of the ``.pyc``. A check imports ~285 of homelabctl's modules, and that machinery was ~9% of its
start. After a run that imported modules the cache did not hold, their bytecode (the ``.pyc`` files Python
wrote, checked as Python checks them) is written to one file beside it; later runs find each module there,
checked against its source's modification time and size as a ``.pyc`` is, and load it with the usual
``SourceFileLoader`` (resources, ``__file__`` and tracebacks as before). Anything the cache cannot answer for
(a module it lacks, a source changed since, an unreadable file) is imported the usual way.

Nothing is written where Python writes no bytecode (``PYTHONDONTWRITEBYTECODE``), and the file goes where
Python puts this package's bytecode (``PYTHONPYCACHEPREFIX`` included).
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec, SourceFileLoader
from importlib.util import MAGIC_NUMBER, cache_from_source, spec_from_file_location
from types import CodeType, ModuleType

Entry = tuple[str, bool, int, int, bytes]
"""A module's source path, whether it is a package, the source's mtime (ns) and size, its marshalled code."""

_FORMAT = b"homelabctl-modules-1\n"
_PACKAGE = "homelabctl"
_MAX_BYTES = 64 * 1024 * 1024


def cache_file(command: str) -> str:
    """Where the cache of a command's modules lives: beside this package's bytecode, wherever Python puts it.
    One file per command, so that a run holds in memory only the code of the modules its command imports."""
    init_pyc = cache_from_source(os.path.join(os.path.dirname(__file__), "__init__.py"))
    name = f"modules-{command}.{sys.implementation.cache_tag}.bin"
    return os.path.join(os.path.dirname(init_pyc), name)


class _CachedLoader(SourceFileLoader):
    """``SourceFileLoader``, with the code taken from the cache instead of the ``.pyc`` file."""

    def __init__(self, fullname: str, path: str, code: bytes) -> None:
        super().__init__(fullname, path)
        self._code: bytes | None = code

    def get_code(self, fullname: str) -> CodeType | None:
        code, self._code = self._code, None
        if code is None:
            return super().get_code(fullname)
        loaded: CodeType = marshal.loads(code)
        return loaded


class CachedModules:
    """A finder ahead of the path finder for homelabctl's submodules held in the cache."""

    def __init__(self, command: str, entries: dict[str, Entry]) -> None:
        self.command = command
        self.entries = entries
        """The modules not imported yet: an entry goes once its module is (its code with it)."""
        self.missed = False
        """Whether a homelabctl module was imported the usual way (the cache lacked it or it was stale)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not fullname.startswith(_PACKAGE + "."):
            return None
        entry = self.entries.pop(fullname, None)
        if entry is not None and _unchanged(entry):
            origin, is_package, _, _, code = entry
            return spec_from_file_location(
                fullname,
                origin,
                loader=_CachedLoader(fullname, origin, code),
                submodule_search_locations=[os.path.dirname(origin)] if is_package else None,
            )
        self.missed = True
        return None


def _read(path: str) -> dict[str, Entry] | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_BYTES + 1)
    except OSError:
        return None
    if not data.startswith(_FORMAT) or len(data) > _MAX_BYTES:
        return None
    try:
        with memoryview(data) as view:  # no copy of the file's bytes besides the one read
            entries = marshal.loads(view[len(_FORMAT) :])
    except (EOFError, ValueError, TypeError):
        return None
    if type(entries) is not dict:
        return None
    return entries


def install(command: str) -> CachedModules:
    """Put the finder of a command's cache first on ``sys.meta_path`` (an empty one when there is no usable
    cache)."""
    finder = CachedModules(command, _read(cache_file(command)) or {})
    sys.meta_path.insert(0, finder)
    return finder


def _current_entry(module: ModuleType) -> Entry | None:
    """A loaded module's entry, from the bytecode Python keeps for it when that still matches its source."""
    origin = getattr(getattr(module, "__spec__", None), "origin", None)
    if not isinstance(origin, str) or not origin.endswith(".py"):
        return None
    try:
        source = os.stat(origin)
        with open(cache_from_source(origin), "rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return None
    # the header Python writes and checks: magic, flags (0: checked by the source's mtime), mtime, size
    if (
        len(data) < 16
        or data[:4] != MAGIC_NUMBER
        or int.from_bytes(data[4:8], "little") != 0
        or int.from_bytes(data[8:12], "little") != int(source.st_mtime) & 0xFFFFFFFF
        or int.from_bytes(data[12:16], "little") != source.st_size & 0xFFFFFFFF
    ):
        return None
    is_package = os.path.basename(origin) == "__init__.py"
    return origin, is_package, source.st_mtime_ns, source.st_size, data[16:]


def _unchanged(entry: Entry) -> bool:
    origin, _, mtime_ns, size, _ = entry
    try:
        found = os.stat(origin)
    except OSError:
        return False
    return found.st_mtime_ns == mtime_ns and found.st_size == size


def save_if_missed(finder: CachedModules | None) -> None:
    """After a run: when some homelabctl module was imported the usual way, write the command's cache anew
    with every homelabctl module loaded now, and those it held that this run did not import. Never raises; writes nothing where Python writes no bytecode."""
    if finder is None or not finder.missed or sys.dont_write_bytecode:
        return
    try:
        # what the cache held and this run did not import stays, while its source is unchanged: runs of one
        # command that import different modules (``check`` and ``check -o json``) would otherwise each find
        # the other's modules missing and write the cache anew, every run
        entries = {name: entry for name, entry in finder.entries.items() if _unchanged(entry)}
        for name, module in list(sys.modules.items()):
            if name.startswith(_PACKAGE + ".") and module is not None:
                entry = _current_entry(module)
                if entry is not None:
                    entries[name] = entry
        path = cache_file(finder.command)
        temporary = f"{path}.{os.getpid()}.tmp"
        try:
            with open(temporary, "wb") as handle:
                handle.write(_FORMAT + marshal.dumps(entries))
            os.replace(temporary, path)  # whole or not at all, whatever other runs do at the same time
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        finder.missed = False
    except (OSError, ValueError):
        return
