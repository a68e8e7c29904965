"""``homelabctl completion bash|zsh|fish``: the shell completion script, to source or install."""

from __future__ import annotations

from pathlib import Path

import click

from homelabctl.cli.options import emit

SHELLS = ("bash", "zsh", "fish")


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@click.option(
    "--output-file",
    "output_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    metavar="PATH",
    help="Write the script to this file (atomically) instead of stdout.",
)
def completion_cmd(shell: str, output_file: Path | None) -> None:
    """Print the completion script for SHELL (commands, options, formats, layers).

    \b
      bash: homelabctl completion bash > ~/.local/share/bash-completion/completions/homelabctl
      zsh:  eval "$(homelabctl completion zsh)"            (in ~/.zshrc)
      fish: homelabctl completion fish > ~/.config/fish/completions/homelabctl.fish
    """
    from click.shell_completion import get_completion_class

    from homelabctl.cli import cli

    cls = get_completion_class(shell)
    if cls is None:  # pragma: no cover - click ships all three
        raise click.UsageError(f"no completion for {shell}")
    script = cls(cli, {}, "homelabctl", "_HOMELABCTL_COMPLETE").source()
    emit(script if script.endswith("\n") else script + "\n", output_file)
