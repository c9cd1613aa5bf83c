"""The README and the code agree: every command and option the README shows exists, every command the code has is
in the README with help text, and every environment variable the code reads is documented (and the other way)."""

from __future__ import annotations

import argparse
import re

from etl.cli import build_parser
from tests.paths import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
SETTINGS_MODULES = (PROJECT_ROOT / "etl" / "settings.py", PROJECT_ROOT / "devtools" / "settings.py")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _readme_command_rows() -> dict[str, str]:
    """Command table rows: the usage cell (``newsfacet NAME ...``) by command name."""
    rows = re.findall(r"^\| `(newsfacet [^`]+)` \|", README, flags=re.M)
    return {row.split()[1]: row for row in rows}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings if option.startswith("--")}


def test_every_command_is_documented_and_every_documented_command_exists() -> None:
    commands, documented = _subcommands(), _readme_command_rows()
    assert set(documented) == set(commands), (
        sorted(set(commands) - set(documented)),
        sorted(set(documented) - set(commands)),
    )


def test_documented_options_exist_and_every_option_is_documented() -> None:
    commands = _subcommands()
    for name, row in _readme_command_rows().items():
        shown = set(re.findall(r"--[a-z][a-z-]*", row))
        have = _options(commands[name]) - {"--help"}
        assert shown <= have, f"README shows {sorted(shown - have)} for `newsfacet {name}`, the code has no such option"
        assert have <= shown, f"`newsfacet {name}` has {sorted(have - shown)}, missing from the README's table"


def test_every_command_and_argument_has_help_text() -> None:
    top = build_parser()
    action = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help for choice in action._choices_actions}
    for name, parser in _subcommands().items():
        assert helps.get(name), f"`newsfacet {name}` has no help line"
        for argument in parser._actions:
            if not isinstance(argument, argparse._HelpAction) and argument.dest != "func":
                assert argument.help or argument.choices, f"`newsfacet {name}` argument {argument.dest} has no help"


def _variables_read() -> set[str]:
    names: set[str] = set()
    for path in SETTINGS_MODULES:
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r'env(?:\.get\(|\[|, )"([A-Z][A-Z0-9_]+)"', text))
        names |= {f"{prefix}<LANG>" for prefix in re.findall(r'prefix = "([A-Z0-9_]+_)"', text)}
    return names


def _variables_documented() -> set[str]:
    table = README[README.index("## Configuration") :]
    table = table[: table.index("\n## ", 1)]
    return set(re.findall(r"`([A-Z][A-Z0-9_]+(?:<LANG>)?)`", table))


def test_every_variable_read_is_documented_and_the_other_way_round() -> None:
    read, documented = _variables_read(), _variables_documented()
    assert read, "no variables found: the settings modules changed shape"
    assert read <= documented, f"read but not in the README's configuration table: {sorted(read - documented)}"
    assert documented <= read, f"in the README but read nowhere: {sorted(documented - read)}"


def test_only_the_settings_module_reads_the_environment() -> None:
    for folder in ("etl", "dags"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            if path in SETTINGS_MODULES:
                continue
            text = path.read_text(encoding="utf-8")
            assert "os.environ" not in text.replace("dict(os.environ", "") and "os.getenv" not in text, path
