"""The command line. Thin: parse arguments, call the library, render, map HomelabctlError to exit codes.

Subcommands are imported only when invoked, so `homelabctl check --demo` never pays for the
kubernetes client or the repo scanner.
"""

from __future__ import annotations

from homelabctl.gcutil import gc_paused

# Importing click and what it pulls in builds tens of thousands of objects that live as long as the process,
# and no garbage: the cyclic collector would scan them ~20 times while they load (~2 ms of every start).
# Frozen after, as the loader freezes the snapshot, so that no later collection scans them (cli/check.py
# does the same for the check path's modules).
with gc_paused(freeze=True):
    import atexit
    import importlib
    import os
    import sys
    from typing import Any, NoReturn

    import click

    from homelabctl import __version__, modcache
    from homelabctl.errors import HomelabctlError

# name -> "module:attribute"; each module owns its command(s).
COMMANDS: dict[str, str] = {
    "check": "homelabctl.cli.check:check_cmd",
    "diagnose": "homelabctl.cli.check:diagnose_cmd",
    "rules": "homelabctl.cli.check:rules_cmd",
    "snapshot": "homelabctl.cli.snapshot:snapshot_group",
    "scan": "homelabctl.cli.scan:scan_cmd",
    "inventory": "homelabctl.cli.paperwork:inventory_group",
    "docs": "homelabctl.cli.paperwork:docs_cmd",
    "whatif": "homelabctl.cli.paperwork:whatif_cmd",
    "handoff": "homelabctl.cli.paperwork:handoff_cmd",
    "incident": "homelabctl.cli.incident:incident_group",
    "watch": "homelabctl.cli.watch:watch_cmd",
    "completion": "homelabctl.cli.completion:completion_cmd",
}

HELP = {
    "check": "Check the cluster, layer by layer, and report findings with evidence and next steps.",
    "diagnose": "Name the root causes first, with every symptom grouped under its cause.",
    "rules": "List every check and rule with its id, layer and severity.",
    "snapshot": "Capture a redacted snapshot of a live cluster, or serve one as a read-only API.",
    "scan": "Audit a Flux GitOps repository before Flux applies it.",
    "inventory": "Create and check the homelab.yaml inventory.",
    "docs": "Generate the cluster's living documentation (CLUSTER-SETUP style).",
    "whatif": "Show what goes down if a host or node fails.",
    "handoff": "Generate a session handoff document.",
    "incident": "Record incidents and render them as AARs.",
    "watch": "Run in the cluster: watch it, keep checks and history current, serve a dashboard, notify.",
    "completion": "Print the shell completion script (bash, zsh, fish).",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return _unavailable(cmd_name)
        command: click.Command = getattr(module, attr)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, HELP.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _unavailable(name: str) -> click.Command:
    @click.command(name, help=HELP.get(name, ""))
    def stub() -> None:
        raise click.ClickException(f"'{name}' is not available in this build")

    return stub


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110}
)
@click.version_option(__version__, prog_name="homelabctl")
def cli() -> None:
    """homelabctl: day-to-day operations for a K3s + Flux homelab.

    Everything works on a live cluster (current kubeconfig context) and on snapshots
    (kubectl JSON/YAML, directories, tarballs). Try: homelabctl check --demo
    """


_process_exit = False
"""Set by ``run``: homelabctl is its own process, which ends when the command does."""
_left_to_exit: list[object] = []


def leave_at_exit(*objects: object) -> None:
    """A command hands over what it loaded (a whole snapshot): when homelabctl is its own process (``run``),
    the process then ends without freeing it object by object (the OS takes the memory back at once; ~15 ms
    of CPU at 10,000 objects). Called in-process (``main()`` from a test), this does nothing."""
    if _process_exit:
        _left_to_exit.extend(objects)


def run() -> NoReturn:
    """The process entry point (``python -m homelabctl``, the console script): ``main()``, then the exit."""
    global _process_exit
    _process_exit = True
    command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), "")
    # the command's modules read from one file of their bytecode (see homelabctl.modcache)
    cache = modcache.install(command) if command in COMMANDS else None
    if command in LOADING_COMMANDS:
        import_msgspec()
    try:
        result = main()
    except SystemExit as exc:
        modcache.save_if_missed(cache)
        _leave(exc.code)
        raise
    modcache.save_if_missed(cache)
    _leave(result)
    sys.exit(result)


LOADING_COMMANDS = frozenset(
    {"check", "diagnose", "rules", "snapshot", "inventory", "docs", "whatif", "handoff", "incident", "watch"}
)
"""The commands that read Kubernetes objects, through msgspec."""


def import_msgspec() -> None:
    """Import msgspec with ``typing_extensions`` hidden from it. Where typing_extensions is installed
    (pydantic brings it), msgspec imports it for annotation forms homelabctl never hands it, ~0.5 MB and
    ~12 million instructions of every run; without it, msgspec takes the same forms from ``typing``. What
    imports typing_extensions later (pydantic, for ``scan``) gets it as usual."""
    if "msgspec" in sys.modules or "typing_extensions" in sys.modules:
        return
    sys.modules["typing_extensions"] = None  # type: ignore[assignment]  # an import of it raises ImportError
    try:
        with gc_paused(freeze=True):
            import msgspec  # noqa: F401
    finally:
        if "typing_extensions" in sys.modules and sys.modules["typing_extensions"] is None:
            del sys.modules["typing_extensions"]


def _leave(code: object) -> None:
    """End the process now, with the same exit code, when the interpreter's teardown has nothing left to do
    but free memory: a command asked for it (``leave_at_exit``), no other thread runs, no exit handler has
    work to do (``_exit_handlers_pending``), and stdout and stderr are flushed. Otherwise return, and the normal exit follows."""
    if not _left_to_exit or not (code is None or type(code) is int):
        return
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() != 1:
        return
    if _exit_handlers_pending():
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except Exception:  # a closed pipe: the normal exit reports it as it always did
        return
    os._exit(code or 0)


def _exit_handlers_pending() -> bool:
    """Whether an atexit handler would have work to do. Importing logging registers its shutdown (so does
    anything that imports logging: concurrent.futures for scan's kustomize renderer and the live reader,
    detect-secrets, which also logs to stderr); while every logging handler does nothing or writes to stdout
    or stderr, that shutdown only flushes them, which ``_leave`` does, so it alone does not count."""
    registered = getattr(atexit, "_ncallbacks", None)  # CPython: without it, exit normally
    if registered is None:
        return True
    if registered() == 0:
        return False
    # logging registers its shutdown as it is imported: with logging imported, one handler is that one
    if registered() != 1 or "logging" not in sys.modules:
        return True
    import logging

    handlers = getattr(logging, "_handlerList", None)
    if handlers is None:
        return True
    streams = (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)
    quiet = (logging.StreamHandler, getattr(logging, "_StderrHandler", logging.StreamHandler))
    for ref in handlers:
        handler = ref()
        if handler is None or type(handler) is logging.NullHandler:
            continue
        if type(handler) not in quiet or handler.stream not in streams:
            return True
    return False


def main(argv: list[str] | None = None) -> Any:
    try:
        result = cli.main(args=argv, prog_name="homelabctl", standalone_mode=False)
    except HomelabctlError as exc:
        click.echo(f"homelabctl: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("homelabctl: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("homelabctl: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # a bug must not look like "findings at or above --fail-on" (exit 1)
        if os.environ.get("HOMELABCTL_DEBUG"):
            raise
        click.echo(
            f"homelabctl: internal error: {type(exc).__name__}: {exc} "
            "(set HOMELABCTL_DEBUG=1 for the traceback, and please report it)",
            err=True,
        )
        sys.exit(2)
    # click returns the code given to ctx.exit() when not in standalone mode
    if isinstance(result, int):
        sys.exit(result)
    return result
