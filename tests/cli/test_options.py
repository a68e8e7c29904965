"""The option vocabulary: every command gets the shared options the same way, and the README says so."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from homelabctl.cli import COMMANDS, cli

README = Path(__file__).resolve().parents[2] / "README.md"

# option -> the commands that take it (everything else must not); the README table is built from this
SHARED: dict[str, set[str] | str] = {
    "-o/--output": "all but completion, snapshot serve",
    "--output-file": "all",
    "--fail-on": {"check", "diagnose", "scan"},
    "-n/--namespace": {"check", "diagnose", "scan"},
    "-A/--all-namespaces": {"check", "diagnose", "scan"},
    "--skip": {"check", "diagnose", "scan"},
    "--ignore-file": {"check", "diagnose", "scan"},
}
NO_FORMAT = {"completion", "snapshot serve"}


def leaf_commands() -> dict[str, click.Command]:
    ctx = click.Context(cli)
    found: dict[str, click.Command] = {}

    def walk(prefix: str, command: click.Command) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, name
                walk(f"{prefix} {name}".strip(), sub)
        else:
            found[prefix] = command

    walk("", cli)
    return found


def spellings(command: click.Command) -> set[str]:
    names: set[str] = set()
    for param in command.params:
        if isinstance(param, click.Option):
            opts = sorted(param.opts, key=len)
            names.add("/".join(opts))
            names.update(opts)
    return names


def takes(option: str, command: str) -> bool:
    wanted = SHARED[option]
    if wanted == "all":
        return True
    if isinstance(wanted, str):
        return command not in NO_FORMAT
    return command in wanted


def test_every_command_has_the_shared_options_it_should() -> None:
    commands = leaf_commands()
    assert set(COMMANDS) <= {name.split()[0] for name in commands}
    for name, command in commands.items():
        have = spellings(command)
        for option in SHARED:
            long = option.split("/")[-1]
            if takes(option, name):
                assert option in have or long in have, f"{name} lacks {option}"
            elif option != "--output-file":
                assert option not in have, f"{name} has {option} but is not listed as taking it"


def test_shared_options_are_spelled_and_explained_the_same_everywhere() -> None:
    helps: dict[str, set[str]] = {}
    for name, command in leaf_commands().items():
        for param in command.params:
            if isinstance(param, click.Option) and param.name in (
                "fail_on",
                "namespace_list",
                "all_namespaces",
                "skip",
            ):
                helps.setdefault(f"{param.name} {sorted(param.opts)}", set()).add(name)
            if isinstance(param, click.Option) and "-o" in param.opts:
                assert param.opts == ["-o", "--output"], name
                assert (param.help or "").startswith("Output format"), name
    # one spelling per shared option (scan's --skip names scan rules, the others checks: same spelling)
    assert {key.split()[0] for key in helps} == {"fail_on", "namespace_list", "all_namespaces", "skip"}
    assert len({key for key in helps if key.startswith("fail_on")}) == 1
    assert len({key for key in helps if key.startswith("namespace_list")}) == 1


def readme_table() -> list[str]:
    """The command x option table the README must carry, from the commands themselves."""
    options = list(SHARED)
    lines = ["| command | " + " | ".join(f"`{o}`" for o in options) + " |", "|---|" + "---|" * len(options)]
    for name, command in sorted(leaf_commands().items()):
        have = spellings(command)
        cells = ["✓" if (o in have or o.split("/")[-1] in have) else "—" for o in options]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return lines


def test_readme_lists_every_command_and_option() -> None:
    text = README.read_text(encoding="utf-8")
    expected = readme_table()
    assert "\n".join(expected) in text, "README's option table is stale; expected:\n" + "\n".join(expected)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell: str) -> None:
    result = CliRunner().invoke(cli, ["completion", shell])
    assert result.exit_code == 0, result.output
    assert "_HOMELABCTL_COMPLETE" in result.stdout
    assert CliRunner().invoke(cli, ["completion", "tcsh"]).exit_code == 2


def test_completion_offers_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.shell_completion import ShellComplete

    completions = ShellComplete(cli, {}, "homelabctl", "_HOMELABCTL_COMPLETE").get_completions(
        ["check", "-o"], ""
    )
    assert {c.value for c in completions} == {"table", "json", "markdown", "prometheus", "junit"}


def test_bad_format_is_bad_input() -> None:
    result = CliRunner().invoke(cli, ["check", "--demo", "-o", "yaml"])
    assert result.exit_code == 2 and "not one of table, json, markdown, prometheus" in result.output


def test_namespace_and_all_namespaces_are_exclusive() -> None:
    result = CliRunner().invoke(cli, ["check", "--demo", "-n", "media", "-A"])
    assert result.exit_code == 2 and "exclusive" in result.output


def test_help_shows_the_shared_options() -> None:
    text = CliRunner().invoke(cli, ["diagnose", "--help"]).stdout
    for option in (
        "-o, --output",
        "--output-file PATH",
        "--fail-on",
        "-n, --namespace NS",
        "-A, --all-namespaces",
        "--skip ID",
        "--ignore-file PATH",
        "-v, --verbose",
    ):
        assert option in text, option
    assert re.search(r"Exit codes: 0 .* 1 .* 2", " ".join(text.split()))
