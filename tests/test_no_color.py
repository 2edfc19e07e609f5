"""Colours only on a terminal, and never with --no-color or NO_COLOR."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from calaudit.cli import main

COLOUR = re.compile(r"\x1b\[[0-9;]*3[0-9]")
"""A foreground colour (SGR 30-39), e.g. the green of '✓ on'."""


def audit(*args: str, **env: str) -> str:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_terminal_gets_colours():
    assert COLOUR.search(audit("audit", "--demo", FORCE_COLOR="1"))


def test_a_pipe_gets_no_escape_codes_at_all():
    assert "\x1b[" not in audit("audit", "--demo")


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("--no-color", "audit", "--demo"), {}),
        (("audit", "--demo", "--no-color"), {}),
        (("audit", "--demo"), {"NO_COLOR": "1"}),
        (("plan", "--demo", "--no-color"), {}),
    ],
)
def test_no_color_turns_colours_off_even_on_a_terminal(args, env):
    assert not COLOUR.search(audit(*args, FORCE_COLOR="1", **env))
