"""The exception hierarchy. The CLI maps HomelabctlError subclasses to exit codes; nothing else."""

from __future__ import annotations


class HomelabctlError(Exception):
    """Base of every error homelabctl raises on purpose. ``exit_code`` is what the CLI returns."""

    exit_code = 2


class InputError(HomelabctlError):
    """Bad input the user gave us: a file, a flag value, a config that does not parse."""


class SourceError(HomelabctlError):
    """A source (snapshot, live API) that cannot be read at all."""


class ApiUnreachableError(SourceError):
    """The Kubernetes API server did not answer."""


class ConfigError(InputError):
    """A user-written config file (inventory, scan config) that fails validation."""


class StoreError(HomelabctlError):
    """The incident store could not be opened or written."""
