"""The process entry imports msgspec without typing_extensions (``cli.import_msgspec``), and what imports
typing_extensions afterwards (pydantic, for ``scan``) still gets the real module."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import sys
from homelabctl import cli
cli.import_msgspec()
import msgspec
assert "typing_extensions" not in sys.modules, "msgspec imported typing_extensions"
assert msgspec.json.decode(b'{"kind": "Pod"}') == {"kind": "Pod"}
import pydantic, typing_extensions
assert typing_extensions.__name__ == "typing_extensions"
class Config(pydantic.BaseModel):
    name: str
print(Config(name="ok").name)
"""

_ALREADY = """
import sys
import typing_extensions
from homelabctl import cli
cli.import_msgspec()
assert sys.modules["typing_extensions"] is typing_extensions
print("ok")
"""


def test_msgspec_is_imported_without_typing_extensions_which_stays_importable() -> None:
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_an_imported_typing_extensions_is_left_alone() -> None:
    done = subprocess.run([sys.executable, "-c", _ALREADY], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
