"""`homelabctl watch`: run in the cluster, notice within minutes, tell someone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from homelabctl.cli.common import SourceOptions, load_state, source_options
from homelabctl.cli.options import output_options

if TYPE_CHECKING:
    from homelabctl.sources.base import Source
    from homelabctl.watch.live import LiveWatch
    from homelabctl.watch.store import StateStore


def static_store(source: Source, kinds: list[str], now_text: str | None) -> StateStore:
    """A snapshot or the demo: the store holds it once; time moves on from the snapshot's own time."""
    from homelabctl.timeutil import utcnow
    from homelabctl.watch.store import StateStore

    state = load_state(source, kinds, now_text)
    store = StateStore(state.source, kinds, server_version=state.server_version)
    store.load(state)
    store.clock_offset = state.reference_time - utcnow()
    return store


def report_writer(fmt: str, output_file: Path) -> Callable[[dict[str, Any]], None]:
    from homelabctl.cli.options import write_atomic

    def write(report: dict[str, Any]) -> None:
        if fmt == "prometheus":
            from homelabctl.report.render_prometheus import render_prometheus

            text = render_prometheus(report)
        elif fmt == "markdown":
            from homelabctl.report.render_markdown import render_markdown

            text = render_markdown(report)
        else:
            from homelabctl.report.render_json import render_json

            text = render_json(report)
        write_atomic(output_file, text)

    return write


@click.command("watch")
@source_options
@click.option(
    "--listen",
    default="127.0.0.1:8080",
    show_default=True,
    metavar="HOST:PORT",
    help="Where the dashboard, /api/report, /metrics, /healthz and /readyz are served.",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="SQLite file for the history and the incidents it opens (default: $HOMELABCTL_DB, else the "
    "user data directory); incident snapshots are saved next to it.",
)
@click.option(
    "--notify",
    "notify_urls",
    multiple=True,
    metavar="URL",
    envvar="HOMELABCTL_NOTIFY",
    help="Where new and resolved root causes go (repeatable; $HOMELABCTL_NOTIFY: space-separated): an "
    "http(s) URL for generic JSON, or ntfy+URL, discord+URL, slack+URL, alertmanager+URL.",
)
@click.option(
    "--interval",
    type=float,
    default=600.0,
    show_default=True,
    help="Seconds between full re-lists of every kind (the safety net under the watches).",
)
@click.option(
    "--debounce",
    type=float,
    default=0.3,
    show_default=True,
    help="Seconds of quiet before re-evaluating after a change (at most 5x this after the first).",
)
@click.option("--dashboard-url", default="", help="Public URL of the dashboard, linked from notifications.")
@click.option(
    "--no-incidents", is_flag=True, help="Do not open incident records for new critical root causes."
)
@click.option("-v", "--verbose", is_flag=True, help="Log every watch error and evaluation.")
@output_options(
    ["json", "prometheus", "markdown"],
    "json",
    file_help="Also write the current report to this file (atomically) after every evaluation, in the "
    "-o format: e.g. -o prometheus for node-exporter's textfile collector.",
)
def watch_cmd(
    source: SourceOptions,
    listen: str,
    db_path: Path | None,
    notify_urls: tuple[str, ...],
    interval: float,
    debounce: float,
    dashboard_url: str,
    no_incidents: bool,
    verbose: bool,
    fmt: str,
    output_file: Path | None,
) -> None:
    """Watch the cluster and keep checks, diagnosis and history current.

    Lists then watches exactly the kinds the checks read, re-evaluates on change, records how long each
    root cause has lasted, opens an incident for a new critical one, notifies, and serves a dashboard
    (/), the JSON report (/api/report), Prometheus metrics (/metrics), /healthz and /readyz.
    Runs until SIGTERM or Ctrl-C. With --snapshot or --demo nothing changes: the dashboard of that
    snapshot, evaluated once.
    """
    from homelabctl.engine import required_kinds, select_checks
    from homelabctl.incidents.store import IncidentStore, resolve_db_path
    from homelabctl.watch.history import History
    from homelabctl.watch.http import HttpThread, parse_listen, wait_forever
    from homelabctl.watch.live import connect_watch
    from homelabctl.watch.metrics import WatchMetrics
    from homelabctl.watch.notify import Notifier, parse_target
    from homelabctl.watch.service import WatchService

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    host, port = parse_listen(listen)
    targets = [parse_target(url) for url in notify_urls]
    if interval < 10:
        raise click.BadParameter("must be at least 10 seconds", param_hint="--interval")
    specs = select_checks()
    kinds = required_kinds(specs)
    db = resolve_db_path(db_path)
    history = History(db)
    incidents = None if no_incidents else db
    if incidents is not None:
        IncidentStore(db).close()  # create or migrate now: a bad --db fails before the watch starts
    metrics = WatchMetrics()
    notifier = Notifier(
        targets, on_outcome=lambda t, outcome: metrics.notifications.labels(t.kind, outcome).inc()
    )
    live: LiveWatch | None = None
    if source.offline:
        store = static_store(source.source(), kinds, source.now_text)
    else:
        live = connect_watch(
            kinds,
            kubeconfig=source.kubeconfig,
            context=source.kube_context,
            request_timeout=source.request_timeout,
            relist_interval=interval,
            deadline=source.deadline,
            on_error=metrics.watch_error,
        )
        store = live.store
    service = WatchService(
        store,
        specs,
        history=history,
        incidents=incidents,
        notifier=notifier,
        metrics=metrics,
        debounce=debounce,
        max_delay=debounce * 5,
        dashboard_url=dashboard_url,
        on_report=report_writer(fmt, output_file) if output_file is not None else None,
    )
    http = HttpThread(service, host, port).start()
    if live is not None:
        live.start()
    service.start()
    click.echo(
        f"homelabctl watch: {store.source.name}, {len(kinds)} kinds, history in {db}; "
        f"serving {http.url}/ ({', '.join(t.label for t in targets) or 'no notifications'})",
        err=True,
    )

    def stop() -> None:
        if live is not None:
            live.stop()
        service.stop()
        http.stop()
        history.close()

    wait_forever(stop)
