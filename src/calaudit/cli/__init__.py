"""The command line: parse options, call one core entry point, print, exit.

The only package that imports click, prints or exits. Commands live in modules by
theme; importing them registers them on ``main``.
"""

from __future__ import annotations

from . import admin, audit, plan, report, rules  # noqa: F401 - importing registers the commands
from .app import main

__all__ = ["main"]
