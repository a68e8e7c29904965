"""Read what people already have: ``kubectl get -o json|yaml`` output, multi-document YAML, directories,
tarballs, the embedded demo. Bad pieces become one-line :class:`LoadError`s; the rest still loads."""

from __future__ import annotations

import json
import mmap
import os
import re
import stat
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import accumulate, chain
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import msgspec

from homelabctl.errors import SourceError
from homelabctl.gcutil import gc_paused
from homelabctl.k8s import shape
from homelabctl.k8s.slim import UNSHARED_BUILTIN_SECTIONS, slim_sections
from homelabctl.model import Resource, group_kind
from homelabctl.redact import FREE_TEXT_SECTIONS, forget_seen_values, kind_walks_free_text, redact_sections
from homelabctl.sources.base import ClusterState, KindStatus, LoadError, SourceInfo
from homelabctl.sources.index import ClusterIndex
from homelabctl.sources.validate import malformed_message, malformed_sections, object_name
from homelabctl.timeutil import parse_time

if TYPE_CHECKING:
    import tarfile

# PyYAML and tarfile are imported when a YAML document or a tarball is met, not for a JSON snapshot.


def _yaml_loader(text: str) -> Any:
    try:
        from yaml import CSafeLoader as loader
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        from yaml import SafeLoader as loader  # type: ignore[assignment]
    return loader(text)


MANIFEST_NAME = "homelabctl-manifest.json"
_LEADING_SPACE = re.compile(rb"[ \t\r\n]*")
DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_TOTAL_BYTES = 512 * 1024 * 1024
"""All files, directories and tarball members together, counted as they are read (not from sizes announced)."""
DEFAULT_MAX_OBJECTS = 300_000
"""A busy homelab holds tens of thousands; past this, memory and time would run out before the report."""
MAX_TAR_MEMBERS = 100_000
MAX_DIR_ENTRIES = 200_000
MAX_DEPTH = 100
"""Kubernetes objects nest a few dozen levels at most. Documents deeper than the parsers allow (JSON: the
interpreter's recursion limit; YAML: libyaml's 1,000 levels) are errors; documents using YAML aliases are
walked and refused beyond this depth, since every later reader would walk the same nodes many times."""
_CHUNK = 1024 * 1024
SNAPSHOT_SUFFIXES = (".json", ".yaml", ".yml")
TARBALL_SUFFIXES = (".tar.gz", ".tgz", ".tar")


class Document(msgspec.Struct, frozen=True):
    """One parsed YAML/JSON document with where it came from."""

    location: str
    line: int | None
    data: Any


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"


class ValueBudget:
    """How many more values the documents of one file may hold, aliases expanded."""

    def __init__(self, remaining: int) -> None:
        self.remaining = remaining


def shape_problem(data: Any, budget: ValueBudget) -> str | None:
    """Why parsed YAML that uses aliases is hostile, or None: more values once the aliases are expanded than
    the file's text could hold (a "billion laughs": every later reader would walk the expansion), or nesting
    deeper than MAX_DEPTH. Iterative: a deep document must not exhaust the stack here either."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        budget.remaining -= 1
        if budget.remaining < 0:
            return "YAML aliases expand to more values than the file holds (an alias bomb)"
        if isinstance(value, dict):
            if depth >= MAX_DEPTH and value:
                return f"nested deeper than {MAX_DEPTH} levels"
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            if depth >= MAX_DEPTH and value:
                return f"nested deeper than {MAX_DEPTH} levels"
            stack.extend((v, depth + 1) for v in value)
    return None


def _value_budget(content: bytes) -> ValueBudget:
    # every JSON/YAML value takes at least about two bytes of text, unless aliases repeat it
    return ValueBudget(len(content) + 10_000)


def parse_documents(content: bytes, location: str, errors: list[LoadError]) -> Iterator[Document]:
    """JSON or (multi-document) YAML. Errors carry the line; documents before a YAML error still load.

    Hostile input is an error too: nesting deeper than the parsers allow, integers of thousands of digits
    (the interpreter's limit), YAML aliases expanding to more values than the text could hold."""
    budget = _value_budget(content)
    aliases = b"*" in content  # the walk is only needed where YAML aliases can repeat nodes
    if b"\x00" in content[:8192]:
        errors.append(LoadError(location, "not a text file (binary content), skipped"))
        return
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    # find the first significant byte without copying a file that may be tens of megabytes
    start = _LEADING_SPACE.match(content)
    first = content[start.end() : start.end() + 1] if start else content[:1]
    del start  # a match holds the whole content
    if not first:
        errors.append(LoadError(location, "empty file, skipped"))
        return
    if first in (b"{", b"["):
        streamed = _streamed_list(content) if first == b"{" else None
        if streamed is not None:
            content = b""  # the list holds copies of its items' bytes, freed one by one as they are read
            yield Document(location, 1, streamed)
            return
        try:
            data = json.loads(content)
        except UnicodeDecodeError as exc:
            errors.append(LoadError(location, f"not UTF-8 text (byte {exc.start}), skipped"))
            return
        except RecursionError:
            errors.append(LoadError(location, "invalid JSON: nested too deeply, skipped"))
            return
        except MemoryError:
            errors.append(LoadError(location, "too large to parse in the memory available, skipped"))
            return
        except json.JSONDecodeError as exc:
            if location.endswith(".json"):
                errors.append(
                    LoadError(location, f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno)
                )
                return
            data = None  # fall through: YAML flow style that is not strict JSON
        except ValueError as exc:  # an integer of thousands of digits
            errors.append(LoadError(location, f"invalid JSON: {_first_line(exc)}, skipped"))
            return
        else:
            yield Document(location, 1, data)  # JSON has no aliases; its depth is bounded by the parser
            return
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.append(LoadError(location, f"not UTF-8 text (byte {exc.start}), skipped"))
        return
    import yaml

    loader = _yaml_loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            line = node.start_mark.line + 1 if node is not None else None
            data = loader.construct_document(node)
            if data is None:
                continue
            problem = shape_problem(data, budget) if aliases else None
            if problem:
                errors.append(LoadError(location, f"{problem}, skipped", line))
                continue
            yield Document(location, line, data)
    except MemoryError:
        errors.append(LoadError(location, "too large to parse in the memory available, skipped"))
    except (ValueError, RecursionError, OverflowError) as exc:  # thousands of digits, deep nesting
        errors.append(LoadError(location, f"invalid YAML: {_first_line(exc) or type(exc).__name__}, skipped"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        errors.append(LoadError(location, f"invalid YAML: {problem}", mark.line + 1 if mark else None))
    except yaml.YAMLError as exc:
        errors.append(LoadError(location, f"invalid YAML: {exc}"))
    finally:
        loader.dispose()


class _ListShape(msgspec.Struct):
    """A kubectl ``List`` with its items left as undecoded byte ranges of the file."""

    kind: Any = None
    apiVersion: Any = msgspec.UNSET  # the field as the document names it
    items: list[msgspec.Raw] | None = None


class _PackedItems(msgspec.Struct, frozen=True):
    """Consecutive items' bytes copied into one anonymous memory mapping as a JSON array (``[a,b,...]``), and
    the items' lengths."""

    block: mmap.mmap
    lengths: array[int]


_PACK_BYTES = 256 * 1024
"""Items are copied in mappings of about this size, each decoded by one call and returned to the system at
once. Copies made one per item would go to the allocator's heap, between the objects built from them, and the
heap cannot give back the holes they leave: at 10,000 objects, a tenth of the process's peak memory. Small
enough that the objects of one pack, parsed before they are slimmed, add little to the peak."""


class StreamedList(msgspec.Struct, frozen=True):
    """A ``List`` document whose items are decoded a pack at a time as they are loaded: each pack's objects
    are slimmed, validated, redacted and indexed before the next pack is parsed, so the whole parsed file never
    exists at once (json.loads builds every object first, plus a decoded copy of the text), and the object cap
    stops the parsing itself."""

    kind: str
    api_version: Any
    packs: list[_PackedItems | None]
    """The items' bytes; each pack None once its items are decoded."""

    def items(self, errors: list[LoadError], location: str) -> Iterator[Any]:
        # (hot: every object) the objects come from lists, one per pack: no generator frame runs per object
        return chain.from_iterable(self._decoded_packs(errors, location))

    def _decoded_packs(self, errors: list[LoadError], location: str) -> Iterator[list[Any]]:
        packs = self.packs
        number = 0  # the items before this pack
        for p, pack in enumerate(packs):
            if pack is None:
                continue
            packs[p] = None
            with pack.block as block:
                try:
                    decoded = _ITEM_DECODER.decode(block)
                except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
                    decoded = _each_item(block, pack.lengths, number, errors, location)
            number += len(pack.lengths)
            yield decoded


_UNREADABLE = object()


def _each_item(
    block: mmap.mmap, lengths: array[int], before: int, errors: list[LoadError], location: str
) -> list[Any]:
    """A pack msgspec cannot read whole: its items one by one, so that a bad one costs itself only."""
    decoded = []
    with memoryview(block) as view:
        start = 1  # past the "["
        for number, length in enumerate(lengths, before + 1):
            item = view[start : start + length]
            start += length + 1  # and the ","
            try:
                value = _decode_item(item, number, errors, location)
            finally:
                item.release()  # the mapping cannot be closed while a view of it is held
            if value is not _UNREADABLE:
                decoded.append(value)
    return decoded


def _decode_item(item: memoryview, number: int, errors: list[LoadError], location: str) -> Any:
    try:
        return _ITEM_DECODER.decode(item)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        pass
    # what only the standard library reads (1e999 as inf, lone surrogates): its reading, as before; what it
    # refuses too costs this item only
    try:
        return json.loads(bytes(item))
    except (ValueError, RecursionError) as exc:
        errors.append(LoadError(location, f"invalid JSON in item {number}: {_first_line(exc)}, skipped"))
    return _UNREADABLE


def _anonymous_block(size: int) -> mmap.mmap:
    if hasattr(mmap, "MAP_PRIVATE"):  # not on Windows
        # private pages, faulted in by one call rather than one fault per page as they are written
        return mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | getattr(mmap, "MAP_POPULATE", 0))
    return mmap.mmap(-1, size)


def _packed(raws: list[msgspec.Raw]) -> list[_PackedItems | None]:
    sizes = array("Q", map(len, raws))
    ends = list(accumulate(sizes))  # every JSON value is at least one byte: the ends strictly increase
    packs: list[_PackedItems | None] = []
    first, base = 0, 0
    while first < len(raws):
        past = max(bisect_right(ends, base + _PACK_BYTES), first + 1)
        # the items, a comma between each two, in brackets
        block = _anonymous_block(ends[past - 1] - base + past - first + 1)
        block.write(b"[")
        block.write(b",".join(raws[first:past]))  # one copy in C rather than two writes per item
        block.write(b"]")
        packs.append(_PackedItems(block, sizes[first:past]))
        first, base = past, ends[past - 1]
    return packs


_LIST_DECODER = msgspec.json.Decoder(_ListShape)
_ITEM_DECODER = msgspec.json.Decoder()


def _streamed_list(content: bytes) -> StreamedList | None:
    """The file as a :class:`StreamedList` when it is a JSON ``List`` msgspec can split, else None (the
    standard parser then reads it, and says what is wrong with it exactly as before)."""
    if not content.isascii():
        try:  # what json.loads would refuse as a whole must still be refused as a whole
            content.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return None
    try:
        shape = _LIST_DECODER.decode(content)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError, MemoryError):
        return None
    kind = shape.kind
    if not (type(kind) is str and kind.endswith("List") and type(shape.items) is list):
        return None
    version = "v1" if shape.apiVersion is msgspec.UNSET else shape.apiVersion
    # copies, so that the file's bytes can go now: each pack is freed once its objects are parsed
    return StreamedList(kind, version, _packed(shape.items))


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [""])[0][:200]


def iter_objects(
    doc: Document, errors: list[LoadError], listed_kinds: set[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Flatten ``List``/``PodList`` documents into their items. Whether each is a Kubernetes object is the
    consumer's to judge (:func:`object_problem`), with the fields it reads of it anyway."""
    data = doc.data
    if type(data) is StreamedList:
        items = data.items(errors, doc.location)
        yield from _list_items(doc, data.kind, data.api_version, items, errors, listed_kinds)
        return
    if isinstance(data, list):
        for item in data:
            yield from iter_objects(Document(doc.location, doc.line, item), errors, listed_kinds)
        return
    if not isinstance(data, dict):
        errors.append(
            LoadError(doc.location, f"not a Kubernetes object (a {type(data).__name__}), skipped", doc.line)
        )
        return
    kind = data.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list):
        yield from _list_items(doc, kind, data.get("apiVersion", "v1"), data["items"], errors, listed_kinds)
        return
    yield data


def _list_items(
    doc: Document,
    kind: str,
    api_version: Any,
    items: Iterable[Any],
    errors: list[LoadError],
    listed_kinds: set[str] | None,
) -> Iterator[dict[str, Any]]:
    item_kind = kind[: -len("List")] if kind != "List" else None
    if item_kind and listed_kinds is not None:
        # an empty PersistentVolumeClaimList still says "there are none", unlike an empty List
        listed_kinds.add(group_kind(str(api_version), item_kind))
    location, line = doc.location, doc.line
    for item in items:
        # (hot: every object of a List; parsed JSON and YAML hold exact dicts and strings)
        if isinstance(item, dict):
            if item_kind and "kind" not in item:
                item = {"apiVersion": api_version, "kind": item_kind, **item}
            nested = item.get("kind")
            if not (type(nested) is str and nested.endswith("List") and isinstance(item.get("items"), list)):
                yield item
                continue
        yield from iter_objects(Document(location, line, item), errors, listed_kinds)


def object_problem(kind: Any, api_version: Any, meta: Any) -> str | None:
    """Why an item is not a Kubernetes object, from its ``kind``, ``apiVersion`` and ``metadata`` as found;
    None when it is one."""
    if type(kind) is str and type(api_version) is str and type(meta) is dict and kind and api_version:
        # (hot: every object loaded) parsed documents hold exact types: no isinstance for them
        return None if meta.get("name") else f"{kind} without metadata.name"
    if not isinstance(kind, str) or not kind:
        return "object without kind"
    if not isinstance(api_version, str) or not api_version:
        return f"{kind} without apiVersion"
    if not isinstance(meta, dict) or not meta.get("name"):
        return f"{kind} without metadata.name"
    return None


class _RawFile:
    """One file's bytes, held until the parser takes them: a streamed ``List`` then owns the only copy and
    frees it as it goes."""

    __slots__ = ("content", "location")

    def __init__(self, location: str, content: bytes) -> None:
        self.location = location
        self.content = content

    def take(self) -> bytes:
        content, self.content = self.content, b""
        return content


_FILE_TYPES = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


class _ByteBudget:
    """Bytes left for the whole load: every file and tarball member draws from it as it is read."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.remaining = total
        self.exhausted_reported = False

    def exhausted(self, location: str, errors: list[LoadError]) -> bool:
        if self.remaining > 0:
            return False
        if not self.exhausted_reported:
            self.exhausted_reported = True
            errors.append(
                LoadError(
                    location,
                    f"snapshot too large: more than {_human_size(self.total)} read in total "
                    "(files and tarball members together); the rest is skipped",
                )
            )
        return True


class SnapshotSource:
    """Snapshot on disk: files, directories (recursive) and tarballs, several at once, merged.

    Reading is bounded whatever the input claims: only regular files are read (a FIFO would block, a symlink
    to /dev/zero never ends), bytes are counted while reading (``st_size`` and tar headers can lie), each file
    is capped at ``max_file_bytes`` and everything together at ``max_total_bytes``.

    ``slim`` (the check path) drops what no check, rule or renderer reads (see :mod:`homelabctl.k8s.slim`); the
    default keeps every field, so what ``snapshot serve`` serves is what the file holds.
    """

    def __init__(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
        max_objects: int = DEFAULT_MAX_OBJECTS,
        info: SourceInfo | None = None,
        slim: bool = False,
    ) -> None:
        if not paths:
            raise SourceError("no snapshot path given")
        self.slim = slim
        self.paths = [Path(p) for p in paths]
        self.max_file_bytes = max_file_bytes
        self.max_total_bytes = max_total_bytes
        self.max_objects = max_objects
        self.info = info or SourceInfo("snapshot", ", ".join(str(p) for p in self.paths))

    def load(self, kinds: Collection[str] = ()) -> ClusterState:
        errors: list[LoadError] = []
        index = ClusterIndex()
        manifest: dict[str, Any] = {}
        listed: set[str] = set()
        shared: dict[str, str] = {}
        capped = False
        with gc_paused(freeze=True):
            try:
                for raw_file in self._iter_files(errors, _ByteBudget(self.max_total_bytes)):
                    if _member_name(raw_file.location) == MANIFEST_NAME:
                        manifest = _parse_manifest(raw_file, errors) or manifest
                        continue
                    if capped:
                        continue  # only the manifest is still of use
                    for doc in parse_documents(raw_file.take(), raw_file.location, errors):
                        capped = self._load_objects(doc, index, errors, listed, shared)
                        if capped:
                            break
            finally:
                forget_seen_values()
        if len(index) == 0 and not listed:
            detail = "; ".join(str(e) for e in errors[:3])
            raise SourceError(
                f"no Kubernetes objects could be read from {self.info.name}"
                + (f" ({detail})" if detail else "")
            )
        state = ClusterState(
            index=index,
            source=self.info,
            errors=errors,
            kind_status={gk: KindStatus("available") for gk in sorted(listed)},
        )
        _apply_manifest(state, manifest)
        return state

    def _load_objects(
        self,
        doc: Document,
        index: ClusterIndex,
        errors: list[LoadError],
        listed: set[str],
        shared: dict[str, str],
    ) -> bool:
        """Each object of the document slimmed (``slim``), validated, redacted and indexed in turn; True when
        the object cap stopped it. (Hot: what every object needs is read into locals once.)"""
        slim = self.slim
        max_objects = self.max_objects
        add = index.add
        from_parts = Resource.from_parts
        data = doc.data
        # what iter_objects does for a StreamedList, without its generator between each object and this loop
        # (the List's items come from C: ~4.5% of a 10k load's instructions)
        if type(data) is StreamedList:
            items = data.items(errors, doc.location)
            objects = _list_items(doc, data.kind, data.api_version, items, errors, listed)
        else:
            objects = iter_objects(doc, errors, listed)
        added = 0  # never fewer than the index holds: an object can replace one, not add two
        for obj in objects:
            # what every step reads of the object, read once here (no step replaces a section)
            kind = obj.get("kind")
            api_version = obj.get("apiVersion")
            meta, spec, status = shape.sections(obj)
            problem = object_problem(kind, api_version, meta)
            if problem:
                errors.append(LoadError(doc.location, problem + ", skipped", doc.line))
                continue
            if added >= max_objects and len(index) >= max_objects:
                errors.append(
                    LoadError(
                        doc.location,
                        f"more than {max_objects:,} objects in the snapshot; the rest is skipped",
                    )
                )
                return True
            added += 1
            free_text = kind_walks_free_text(kind, api_version)
            if slim:
                slim_sections(
                    obj,
                    kind,
                    meta,
                    status,
                    shared,
                    FREE_TEXT_SECTIONS if free_text else UNSHARED_BUILTIN_SECTIONS,
                )
                kind, api_version = obj["kind"], obj["apiVersion"]  # the shared copies
            problem = malformed_sections(obj, kind, api_version, meta, spec, status)
            if problem:
                errors.append(LoadError(doc.location, malformed_message(obj, problem), doc.line))
                continue
            try:
                redact_sections(obj, kind, meta, spec, status, shared if slim else None, free_text)
                add(from_parts(obj, api_version, kind, meta, spec, status))
            except RecursionError:  # deeper than anything that reads it can walk
                errors.append(
                    LoadError(doc.location, f"{object_name(obj)}: nested too deeply, skipped", doc.line)
                )
        return False

    def _iter_files(self, errors: list[LoadError], budget: _ByteBudget) -> Iterator[_RawFile]:
        for path in self.paths:
            if budget.exhausted(str(path), errors):
                return
            if not os.path.lexists(path):
                errors.append(LoadError(str(path), "no such file or directory"))
            elif path.is_dir():
                yield from self._iter_dir(path, errors, budget)
            elif path.name.endswith(TARBALL_SUFFIXES):
                yield from self._iter_tar(path, errors, budget)
            else:
                raw = self._read(path, errors, budget)
                if raw is not None:
                    yield raw

    def _iter_dir(self, root: Path, errors: list[LoadError], budget: _ByteBudget) -> Iterator[_RawFile]:
        found = False
        seen_dirs: set[tuple[int, int]] = set()
        inside = os.path.realpath(root)
        entries = 0
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            entries += len(dirnames) + len(filenames)
            if entries > MAX_DIR_ENTRIES:
                errors.append(
                    LoadError(
                        str(root), f"more than {MAX_DIR_ENTRIES:,} files and directories; the rest is skipped"
                    )
                )
                return
            if not _within(dirpath, inside):  # a symlink out of the snapshot: nothing outside it is read
                errors.append(LoadError(dirpath, "symlink to a directory outside the snapshot, skipped"))
                dirnames[:] = []
                continue
            try:
                info = os.stat(dirpath)
            except OSError as exc:
                errors.append(LoadError(dirpath, f"cannot read: {exc.strerror or exc}"))
                dirnames[:] = []
                continue
            if (info.st_dev, info.st_ino) in seen_dirs:  # symlink loop
                errors.append(LoadError(dirpath, "directory already visited (symlink loop), skipped"))
                dirnames[:] = []
                continue
            seen_dirs.add((info.st_dev, info.st_ino))
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for filename in sorted(filenames):
                path = Path(dirpath) / filename
                if not filename.endswith(SNAPSHOT_SUFFIXES + TARBALL_SUFFIXES):
                    continue
                if budget.exhausted(str(path), errors):
                    return
                if path.is_symlink() and not _within(str(path), inside) and _is_regular(path):
                    # (a symlink to a device or a FIFO gets that said about it below)
                    errors.append(LoadError(str(path), "symlink to a file outside the snapshot, skipped"))
                    continue
                if filename.endswith(SNAPSHOT_SUFFIXES):
                    raw = self._read(path, errors, budget)
                    if raw is not None:
                        found = True
                        yield raw
                elif filename.endswith(TARBALL_SUFFIXES):
                    found = True
                    yield from self._iter_tar(path, errors, budget)
        if not found:
            errors.append(LoadError(str(root), "directory holds no .json, .yaml or .yml files"))

    def _open_regular(self, path: Path, errors: list[LoadError]) -> int | None:
        """A read descriptor for a regular file, or None with the reason in ``errors``. Opened non-blocking
        and checked on the descriptor itself, so a FIFO cannot block and nothing can be swapped in between."""
        try:
            # a socket cannot even be opened: say what it is rather than "no such device"
            mode = os.stat(path).st_mode
            if not stat.S_ISREG(mode):
                self._not_regular(path, mode, errors)
                return None
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            errors.append(LoadError(str(path), f"cannot read: {exc.strerror or exc}"))
            return None
        try:
            info = os.fstat(fd)
        except OSError as exc:
            os.close(fd)
            errors.append(LoadError(str(path), f"cannot read: {exc.strerror or exc}"))
            return None
        if not stat.S_ISREG(info.st_mode):  # swapped in since the stat: the descriptor is what counts
            os.close(fd)
            self._not_regular(path, info.st_mode, errors)
            return None
        if info.st_size > self.max_file_bytes:
            os.close(fd)
            errors.append(
                LoadError(
                    str(path),
                    f"file too large ({_human_size(info.st_size)}; limit "
                    f"{_human_size(self.max_file_bytes)}), skipped",
                )
            )
            return None
        os.set_blocking(fd, True)
        return fd

    @staticmethod
    def _not_regular(path: Path, mode: int, errors: list[LoadError]) -> None:
        what = _FILE_TYPES.get(stat.S_IFMT(mode), "not a regular file")
        via = " (through a symlink)" if path.is_symlink() else ""
        errors.append(LoadError(str(path), f"not a regular file: {what}{via}, skipped"))

    def _read(self, path: Path, errors: list[LoadError], budget: _ByteBudget) -> _RawFile | None:
        fd = self._open_regular(path, errors)
        if fd is None:
            return None
        try:
            with os.fdopen(fd, "rb") as handle:
                content = self._read_capped(handle, str(path), errors, budget, os.fstat(fd).st_size)
        except OSError as exc:
            errors.append(LoadError(str(path), f"cannot read: {exc.strerror or exc}"))
            return None
        return None if content is None else _RawFile(str(path), content)

    def _read_capped(
        self, handle: Any, location: str, errors: list[LoadError], budget: _ByteBudget, size_hint: int = 0
    ) -> bytes | None:
        """Read in chunks, counting: stop past the per-file limit or the total budget, whatever sizes said.
        ``size_hint`` (what the file system says): the first read asks for all of it, so that a file that is
        what it says is read by one call into one buffer, not copied again by joining chunks."""
        chunks: list[bytes] = []
        size = 0
        wanted = max(_CHUNK, size_hint + 1)
        while True:
            chunk = handle.read(min(wanted, self.max_file_bytes + 1 - size, max(budget.remaining, 0) + 1))
            wanted = _CHUNK
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            budget.remaining -= len(chunk)
            if size > self.max_file_bytes:
                errors.append(
                    LoadError(
                        location,
                        f"file too large (more than {_human_size(self.max_file_bytes)} read), skipped",
                    )
                )
                return None
            if budget.remaining < 0:
                budget.exhausted(location, errors)
                return None
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _iter_tar(self, path: Path, errors: list[LoadError], budget: _ByteBudget) -> Iterator[_RawFile]:
        fd = self._open_regular(path, errors) if not path.is_dir() else None
        if fd is None:
            return
        import tarfile

        try:
            tar = tarfile.open(fileobj=os.fdopen(fd, "rb"), mode="r:*")  # noqa: SIM115 - closed below
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            os.close(fd)
            errors.append(LoadError(str(path), f"not a readable tarball: {_first_line(exc)}"))
            return
        try:
            yield from self._tar_members(tar, path, errors, budget)
        finally:
            fileobj = tar.fileobj
            tar.close()
            if fileobj is not None:
                fileobj.close()

    def _tar_members(
        self, tar: tarfile.TarFile, path: Path, errors: list[LoadError], budget: _ByteBudget
    ) -> Iterator[_RawFile]:
        import tarfile

        count = 0
        while True:
            try:
                member = tar.next()
            except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
                errors.append(
                    LoadError(
                        str(path),
                        f"truncated or corrupt tarball: {_first_line(exc)}; members "
                        "after this point are skipped",
                    )
                )
                return
            if member is None:
                return
            count += 1
            tar.members = []  # type: ignore[attr-defined]  # read once, in order: keep none in memory
            if count > MAX_TAR_MEMBERS:
                errors.append(
                    LoadError(
                        str(path),
                        f"more than {MAX_TAR_MEMBERS:,} members in the tarball; the rest is skipped",
                    )
                )
                return
            location = f"{path}:{member.name}"
            if budget.exhausted(location, errors):
                return
            # every member's bytes are decompressed to reach the next one: skipped members count too
            parts = PurePosixPath(member.name).parts
            if member.name.startswith("/") or ".." in parts:
                errors.append(LoadError(location, "unsafe path in tarball (absolute or '..'), skipped"))
                continue
            if not member.isfile():
                continue
            name = parts[-1] if parts else ""
            if not name.endswith(SNAPSHOT_SUFFIXES):
                budget.remaining -= member.size
                continue
            if member.size > self.max_file_bytes:
                budget.remaining -= member.size
                errors.append(LoadError(location, f"file too large ({_human_size(member.size)}), skipped"))
                continue
            try:
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                content = self._read_capped(handle, location, errors, budget)
            except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
                errors.append(LoadError(location, f"truncated or corrupt tarball member: {_first_line(exc)}"))
                return
            if content is not None:
                raw_file = _RawFile(location, content)
                content = None  # the parser takes the only reference (see _RawFile)
                yield raw_file


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _within(path: str, root_real: str) -> bool:
    real = os.path.realpath(path)
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def _member_name(location: str) -> str:
    """``snap.tar.gz:capture/homelabctl-manifest.json`` → ``homelabctl-manifest.json``."""
    return PurePosixPath(
        location.rsplit(".tar.gz:", 1)[-1].rsplit(".tgz:", 1)[-1].rsplit(".tar:", 1)[-1]
    ).name


def _parse_manifest(raw_file: _RawFile, errors: list[LoadError]) -> dict[str, Any] | None:
    try:
        data = json.loads(raw_file.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        errors.append(LoadError(raw_file.location, f"invalid snapshot manifest: {exc}"))
        return None
    if not isinstance(data, dict):
        errors.append(LoadError(raw_file.location, "invalid snapshot manifest: not an object"))
        return None
    return data


def _apply_manifest(state: ClusterState, manifest: dict[str, Any]) -> None:
    if not manifest:
        return
    state.captured_at = parse_time(manifest.get("capturedAt"))
    version = manifest.get("serverVersion")
    state.server_version = str(version) if version else None
    origin = manifest.get("source")
    if isinstance(origin, dict) and isinstance(origin.get("server"), str) and origin["server"]:
        state.api_server = origin["server"]
    for gk in manifest.get("kinds", {}).get("captured", []) or []:
        state.kind_status.setdefault(str(gk), KindStatus("available"))
    for gk, reason in (manifest.get("kinds", {}).get("forbidden", {}) or {}).items():
        state.kind_status[str(gk)] = KindStatus("forbidden", str(reason))
    for gk, reason in (manifest.get("kinds", {}).get("notInstalled", {}) or {}).items():
        state.kind_status[str(gk)] = KindStatus("not_installed", str(reason))
    for gk, reason in (manifest.get("kinds", {}).get("failed", {}) or {}).items():
        state.kind_status[str(gk)] = KindStatus("error", str(reason))


def demo_snapshot_path() -> Path:
    from importlib.resources import files

    return Path(str(files("homelabctl.demo") / "snapshot"))


def demo_source(*, slim: bool = False) -> SnapshotSource:
    return SnapshotSource(
        [demo_snapshot_path()], info=SourceInfo("demo", "homelabctl demo cluster (fletcherlabs)"), slim=slim
    )
