"""``homelabctl snapshot capture`` and ``homelabctl snapshot serve``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from homelabctl.cli.options import output_options, write_atomic
from homelabctl.errors import InputError

if TYPE_CHECKING:
    from homelabctl.live.server import SnapshotApi


@click.group("snapshot")
def snapshot_group() -> None:
    """Capture a redacted snapshot of a live cluster, or serve one as a read-only API."""


@snapshot_group.command("capture")
@output_options(
    ["auto", "tar.gz", "dir"],
    "auto",
    legacy_file=True,
    file_help="Where to write the snapshot: a .tar.gz file, or a directory to create (required).",
    dir_okay=True,
)
@click.option(
    "--kubeconfig",
    type=click.Path(path_type=Path),
    default=None,
    help="Kubeconfig (default: $KUBECONFIG or ~/.kube/config; in-cluster when run in a pod).",
)
@click.option("--context", "kube_context", default=None, help="Kubeconfig context to use.")
@click.option(
    "--request-timeout", type=float, default=10.0, show_default=True, help="Seconds per API request."
)
@click.option(
    "--deadline", type=float, default=300.0, show_default=True, help="Seconds for the whole capture."
)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists (only an earlier snapshot).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
def capture_cmd(
    fmt: str,
    output_file: Path | None,
    kubeconfig: Path | None,
    kube_context: str | None,
    request_timeout: float,
    deadline: float,
    force: bool,
    quiet: bool,
) -> None:
    """Capture every kind homelabctl reads (plus Events) into OUTPUT, with no secret value in it.

    Secret values become markers that keep only their length; sensitive ConfigMap keys, env values,
    flags and Helm values too. Read it back with `homelabctl check --snapshot OUTPUT`, or explore it
    with `homelabctl snapshot serve OUTPUT` and kubectl. -o auto (the default) picks the format from the
    name: a .tar.gz or .tgz file is a tarball, anything else a directory.
    """
    from homelabctl.live.capture import capture

    if output_file is None:
        raise click.UsageError("missing --output-file PATH (a .tar.gz file or a directory to create)")
    output = output_file
    tarball = output.name.endswith((".tar.gz", ".tgz"))
    if fmt == "tar.gz" and not tarball:
        raise InputError(f"-o tar.gz: name the file {output}.tar.gz (the format follows the name)")
    if fmt == "dir" and tarball:
        raise InputError(f"-o dir: {output} looks like a tarball name; pick a directory name")

    result = capture(
        output,
        kubeconfig=kubeconfig,
        context=kube_context,
        request_timeout=request_timeout,
        deadline=deadline,
        progress=not quiet,
        force=force,
    )
    if quiet:
        return
    by_state: dict[str, list[str]] = {}
    for gk, status in sorted(result.statuses.items()):
        by_state.setdefault(status.state, []).append(gk)
    click.echo(
        f"Captured {result.objects:,} objects of {len(result.counts)} kinds from {result.context} "
        f"({result.server}, {result.server_version}) into {output}",
        err=True,
    )
    labels = {
        "forbidden": "forbidden (RBAC)",
        "error": "failed",
        "not_installed": "not installed",
        "absent": "not served",
    }
    for state, label in labels.items():
        if by_state.get(state):
            names = ", ".join(gk for gk in by_state[state])
            click.echo(f"  {label}: {names}", err=True)
    for gk in by_state.get("error", []):
        click.echo(f"homelabctl: warning: {result.statuses[gk].reason}", err=True)


@snapshot_group.command("serve")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--demo", is_flag=True, help="Serve the embedded demo cluster instead of PATHS.")
@click.option(
    "--port", type=int, default=8001, show_default=True, help="Port to listen on (0: any free port)."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--output-file",
    "--kubeconfig-out",
    "kubeconfig_out",
    type=click.Path(path_type=Path),
    default=None,
    metavar="PATH",
    help="Write the kubeconfig for the server here instead of printing it.",
)
@click.option(
    "--forbid",
    multiple=True,
    metavar="KIND",
    help="Answer 403 Forbidden for this kind (Pod, pods, deployments.apps...); repeatable.",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="drop|stall[:KIND]",
    help="Drop connections or never answer, for every request or one kind's; repeatable.",
)
@click.option(
    "--now",
    "now_text",
    default=None,
    metavar="RFC3339",
    help="The server's 'now' for AGE columns (default: the snapshot's time).",
)
@click.option("--log-requests", is_flag=True, help="Log each request on stderr.")
def serve_cmd(
    paths: tuple[Path, ...],
    demo: bool,
    port: int,
    host: str,
    kubeconfig_out: Path | None,
    forbid: tuple[str, ...],
    faults: tuple[str, ...],
    now_text: str | None,
    log_requests: bool,
) -> None:
    """Serve snapshot PATHS as a read-only Kubernetes API, for kubectl and the kubernetes client.

    \b
      homelabctl snapshot serve snap.tar.gz --kubeconfig-out /tmp/snap.kubeconfig &
      kubectl --kubeconfig /tmp/snap.kubeconfig get pods -A
      kubectl --kubeconfig /tmp/snap.kubeconfig describe node k3s1
      homelabctl check --kubeconfig /tmp/snap.kubeconfig
      homelabctl snapshot serve --demo --port 0

    AGE columns read as they did when the snapshot was taken. Ctrl-C stops the server.
    """
    from homelabctl.live.server import SnapshotApi, SnapshotServer, parse_fault, serve_until_signal
    from homelabctl.sources.snapshot import SnapshotSource, demo_source
    from homelabctl.timeutil import parse_time

    if demo == bool(paths):
        raise InputError("snapshot serve: give snapshot PATHS or --demo (one of the two)")

    now = None
    if now_text:
        now = parse_time(now_text)
        if now is None:
            raise InputError(f"--now: not an RFC 3339 time: {now_text!r}")
    source = demo_source() if demo else SnapshotSource(list(paths))
    state = source.load()
    shown = (source.info.name,) if demo else tuple(str(p) for p in paths)
    for error in state.errors:
        click.echo(f"homelabctl: warning: {error}", err=True)
    api = SnapshotApi(state, forbid=forbid, now=now)
    parsed_faults = [parse_fault(text, api.catalog) for text in faults]
    log = (lambda line: click.echo(line, err=True)) if log_requests else None
    try:
        server = SnapshotServer(api, host=host, port=port, faults=parsed_faults, log=log)
    except OSError as exc:
        raise InputError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            + ("; pick another with --port N (0: any free port)" if port else "")
        ) from None
    # SIGINT and SIGTERM are handled from here on: whoever reads the kubeconfig may stop us right away
    serve_until_signal(server, lambda: _announce(server.url, shown, api, host, kubeconfig_out))
    click.echo("stopped", err=True)


def _announce(
    url: str, paths: tuple[str, ...], api: SnapshotApi, host: str, kubeconfig_out: Path | None
) -> None:
    from homelabctl.live.server import kubeconfig_for

    kubeconfig = kubeconfig_for(url)
    served = sum(1 for s in api.catalog.kinds.values() if s.discoverable and s.status.readable)
    click.echo(
        f"Serving {', '.join(paths)}: {len(api.state.index):,} objects, {served} kinds, "
        f"as of {api.now:%Y-%m-%d %H:%M:%SZ}, read-only at {url}",
        err=True,
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"homelabctl: warning: listening on {host} without authentication: anyone who can reach "
            "this port can read the snapshot",
            err=True,
        )
    if kubeconfig_out is not None:
        # Atomically: whoever waits for the file to appear must never read it half-written.
        write_atomic(kubeconfig_out, kubeconfig)
        click.echo(
            f"kubeconfig written to {kubeconfig_out}; try: kubectl --kubeconfig {kubeconfig_out} get pods -A",
            err=True,
        )
    else:
        click.echo(kubeconfig, nl=False)
        sys.stdout.flush()
    click.echo("Press Ctrl-C to stop.", err=True)
