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
from typing import BinaryIO

Entry = tuple[str, bool, int, int, bytes]
"""A module's source path, whether it is a package, the source's mtime (ns) and size, its marshalled code."""
Located = tuple[str, bool, int, int, int, int]
"""An :data:`Entry` as the cache file indexes it: the code's offset (from the end of the index) and its
length in place of the code, which is read when the module is imported (see :class:`_Blobs`)."""

_FORMAT = b"homelabctl-modules-2\n"
"""Then the index's length (8 bytes, little-endian), the index (a marshalled dict of :data:`Located`), and
the modules' code, one after the other."""
_PACKAGE = "homelabctl"
_MAX_BYTES = 64 * 1024 * 1024


def cache_file(command: str) -> str:
    """Where the cache of a command's modules lives: beside this package's bytecode, wherever Python puts it.
    One file per command, so that a run reads only the code of the modules its command imports."""
    init_pyc = cache_from_source(os.path.join(os.path.dirname(__file__), "__init__.py"))
    name = f"modules-{command}.{sys.implementation.cache_tag}.bin"
    return os.path.join(os.path.dirname(init_pyc), name)


class _Blobs:
    """The modules' code in the cache file, each read when its module is imported: the file is never held
    whole, so a run's peak memory does not carry it (~2 MB for a check), nor the code of the modules it does
    not import."""

    def __init__(self, handle: BinaryIO | None, data: bytes = b"", base: int = 0) -> None:
        self._handle = handle
        self._base = base
        """Where the code starts in the file."""
        self._data = data
        """The code itself where there is no file (a finder built from entries, or no ``os.pread``)."""

    def read(self, offset: int, length: int) -> bytes | None:
        if self._handle is None:
            blob = self._data[offset : offset + length]
        else:
            try:
                blob = os.pread(self._handle.fileno(), length, self._base + offset)
            except (OSError, ValueError):  # ValueError: closed
                return None
        return blob if len(blob) == length else None

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


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

    def __init__(self, command: str, entries: dict[str, Located], blobs: _Blobs | None = None) -> None:
        self.command = command
        self.entries = entries
        """The modules not imported yet: an entry goes once its module is."""
        self.blobs = blobs or _Blobs(None)
        self.missed = False
        """Whether a homelabctl module was imported the usual way (the cache lacked it or it was stale)."""

    @classmethod
    def holding(cls, command: str, entries: dict[str, Entry]) -> CachedModules:
        """A finder serving ``entries`` (their code in memory), as one reading a cache file of them would."""
        index, code = _layout(entries)
        return cls(command, index, _Blobs(None, b"".join(code)))

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not fullname.startswith(_PACKAGE + "."):
            return None
        entry = self.entries.pop(fullname, None)
        code = self._code(entry) if entry is not None and _unchanged(entry) else None
        if entry is not None and code is not None:
            origin, is_package = entry[0], entry[1]
            return spec_from_file_location(
                fullname,
                origin,
                loader=_CachedLoader(fullname, origin, code),
                submodule_search_locations=[os.path.dirname(origin)] if is_package else None,
            )
        self.missed = True
        return None

    def _code(self, entry: Located) -> bytes | None:
        offset, length = entry[4], entry[5]
        if type(offset) is not int or type(length) is not int or offset < 0 or not 0 <= length <= _MAX_BYTES:
            return None
        return self.blobs.read(offset, length)


def _layout(entries: dict[str, Entry]) -> tuple[dict[str, Located], list[bytes]]:
    """The index of ``entries`` with their code laid out one after the other, and the code."""
    index: dict[str, Located] = {}
    code: list[bytes] = []
    offset = 0
    for name, (origin, is_package, mtime_ns, size, blob) in entries.items():
        index[name] = (origin, is_package, mtime_ns, size, offset, len(blob))
        code.append(blob)
        offset += len(blob)
    return index, code


def _read(path: str) -> tuple[dict[str, Located], _Blobs] | None:
    """The index of the cache file at ``path`` and the reader of its code, or None where it is unusable."""
    try:
        handle = open(path, "rb")  # noqa: SIM115  # kept open: the code is read as modules are imported
    except OSError:
        return None
    try:
        header = handle.read(len(_FORMAT) + 8)
        if len(header) < len(_FORMAT) + 8 or not header.startswith(_FORMAT):
            raise ValueError("not a cache file")
        size = int.from_bytes(header[len(_FORMAT) :], "little")
        if size > _MAX_BYTES:
            raise ValueError("index too large")
        index = marshal.loads(handle.read(size))
        if type(index) is not dict:
            raise ValueError("not an index")
        if not hasattr(os, "pread"):  # Windows: the code read now, whole
            with handle:
                return index, _Blobs(None, handle.read(_MAX_BYTES))
    except (OSError, EOFError, ValueError, TypeError):
        handle.close()
        return None
    return index, _Blobs(handle, base=len(header) + size)


def install(command: str) -> CachedModules:
    """Put the finder of a command's cache first on ``sys.meta_path`` (an empty one when there is no usable
    cache)."""
    found = _read(cache_file(command))
    finder = CachedModules(command, *found) if found else CachedModules(command, {})
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


def _unchanged(entry: Entry | Located) -> bool:
    try:
        origin, mtime_ns, size = entry[0], entry[2], entry[3]
        found = os.stat(origin)
    except (OSError, TypeError, ValueError, IndexError):  # a malformed entry serves nothing
        return False
    return found.st_mtime_ns == mtime_ns and found.st_size == size


def save_if_missed(finder: CachedModules | None) -> None:
    """After a run: when some homelabctl module was imported the usual way, write the command's cache anew
    with every homelabctl module loaded now, and those it held that this run did not import. Never raises;
    writes nothing where Python writes no bytecode."""
    if finder is None or not finder.missed or sys.dont_write_bytecode:
        return
    try:
        # what the cache held and this run did not import stays, while its source is unchanged: runs of one
        # command that import different modules (``check`` and ``check -o json``) would otherwise each find
        # the other's modules missing and write the cache anew, every run
        entries: dict[str, Entry] = {}
        for name, located in finder.entries.items():
            code = finder._code(located) if _unchanged(located) else None
            if code is not None:
                entries[name] = (*located[:4], code)
        for name, module in list(sys.modules.items()):
            if name.startswith(_PACKAGE + ".") and module is not None:
                entry = _current_entry(module)
                if entry is not None:
                    entries[name] = entry
        path = cache_file(finder.command)
        temporary = f"{path}.{os.getpid()}.tmp"
        try:
            index, blobs = _layout(entries)
            table = marshal.dumps(index)
            with open(temporary, "wb") as handle:
                handle.write(_FORMAT + len(table).to_bytes(8, "little") + table)
                handle.writelines(blobs)
            os.replace(temporary, path)  # whole or not at all, whatever other runs do at the same time
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        finder.missed = False
    except (OSError, ValueError):
        return
