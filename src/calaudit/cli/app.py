"""The ``calaudit`` group, its error handling, and what every command shares."""

from __future__ import annotations

import functools
import io
import math
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console, RenderableType

from .. import __version__
from ..env import APP_NAME, Env
from ..errors import CalauditError, ExitStatus
from ..models import one_line
from ..period import PERIOD_HELP
from ..pipeline import Inputs, ReadProgress
from ..storage import write_output

INTERRUPTED = 130
"""Ctrl-C, as shell tools report it."""
INTERRUPTED_MESSAGE = "interrupted; nothing was written"
PIPE_WIDTH = 160
"""Output that goes to a file or a pipe is not cut to 80 columns."""
PROGRESS_AFTER_SECONDS = 1.0


class Finite(click.FloatRange):
    """A number in a range, and a number at all: FloatRange lets ``nan`` through (it
    compares false with every bound), and ``inf`` where there is no upper one."""

    name = "finite float range"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


class Day(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.5 on; we allow 8.1
    """A day written YYYY-MM-DD. click.DateTime says a well-written day that does not exist
    (2026-02-30) "does not match the format", which sends the user looking at the format."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, date):
            return value
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):  # not \d: any script's digits
            self.fail(f"{value!r} is not a date; write YYYY-MM-DD.", param, ctx)
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            self.fail(f"{value!r} is not a day of the calendar ({exc}).", param, ctx)


def stdout() -> Console:
    """Text from calendars and rules is data: consoles never read it as markup.

    Colours only on a terminal (rich's own check), never with --no-color or NO_COLOR.
    """
    console = Console(highlight=False, markup=False, no_color=_no_color())
    if console.is_terminal:
        return console
    return Console(highlight=False, markup=False, width=PIPE_WIDTH, no_color=_no_color())


def stderr() -> Console:
    return Console(stderr=True, highlight=False, markup=False, soft_wrap=True, no_color=_no_color())


def _no_color() -> bool | None:
    """True with --no-color; None lets rich read NO_COLOR from the environment."""
    ctx = click.get_current_context(silent=True)
    return True if ctx and ctx.find_root().meta.get("no_color") else None


def _set_no_color(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().meta["no_color"] = True


NO_COLOR_HELP = "No colours in the output (as does the NO_COLOR environment variable)."


def _error(message: object) -> None:
    click.echo(f"calaudit: error: {one_line(message)}", err=True)


def _fail(message: str, status: int) -> NoReturn:
    """For errors click raises while parsing, before any command ran (no traceback to show)."""
    _error(message)
    sys.exit(status)


def _set_debug(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().meta["debug"] = True


DEBUG_HELP = "Show tracebacks for errors."


class CalauditCommand(click.Command):
    """Every command also takes --debug, so it works after the subcommand too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(
            click.Option(["--debug"], is_flag=True, expose_value=False, callback=_set_debug, help=DEBUG_HELP)
        )
        self.params.append(
            click.Option(["--no-color"], is_flag=True, expose_value=False, callback=_set_no_color, help=NO_COLOR_HELP)
        )


class CalauditGroup(click.Group):
    """Turns every error into one line on stderr and a documented exit status."""

    command_class = CalauditCommand

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            status = super().main(*args, **kwargs)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else APP_NAME
            _fail(f"{exc.format_message()} (see '{where} --help')", ExitStatus.USAGE)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            _fail(INTERRUPTED_MESSAGE, INTERRUPTED)
        sys.exit(status if isinstance(status, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        ctx.obj = ctx.obj or Env.from_os()
        try:
            return super().invoke(ctx)
        except CalauditError as exc:
            self._debug_trace(ctx)
            _error(exc)
            ctx.exit(int(exc.exit_status))
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            _error(INTERRUPTED_MESSAGE)
            ctx.exit(INTERRUPTED)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            self._debug_trace(ctx)
            _error(f"unexpected error: {type(exc).__name__}: {exc}; rerun with --debug and report it")
            ctx.exit(int(ExitStatus.UNEXPECTED))

    @staticmethod
    def _debug_trace(ctx: click.Context) -> None:
        if ctx.find_root().meta.get("debug"):
            traceback.print_exc()


@click.group(APP_NAME, cls=CalauditGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name=APP_NAME)
@click.option("--debug", is_flag=True, expose_value=False, callback=_set_debug, help=DEBUG_HELP)
@click.option("--no-color", is_flag=True, expose_value=False, callback=_set_no_color, help=NO_COLOR_HELP)
def main() -> None:
    """Where did your time go, compared with where you meant it to go?

    Try 'calaudit audit --demo'. Exit statuses: 0 ok, 1 unexpected error, 2 usage or
    configuration error, 3 calendar error, 4 email error, 5 a check failed, 130 interrupted.
    """


def env() -> Env:
    """The environment of this run (``ctx.obj``; tests pass their own to CliRunner)."""
    obj = click.get_current_context().find_root().obj
    assert isinstance(obj, Env)
    return obj


def source_options(
    command: Callable[..., Any] | None = None, *, default_period: str = "last-month"
) -> Callable[..., Any]:
    """The options that name calendars, rules and period; the command receives ``inputs``.

    Use as ``@source_options``, or ``@source_options(default_period=...)`` for a command
    whose period defaults to another one (the default itself is applied by the core).
    """
    if command is None:
        return functools.partial(source_options, default_period=default_period)
    options = [
        click.option(
            "--ics",
            multiple=True,
            metavar="PATH_OR_URL",
            help="An .ics file, a .zip of .ics files or an iCal URL; repeat for several calendars.",
        ),
        click.option(
            "--rules",
            type=click.Path(path_type=Path, dir_okay=False),
            help="rules.yaml to use (default: ./rules.yaml, then the user config dir).",
        ),
        click.option("--period", help=f"{PERIOD_HELP} (default: {default_period})."),
        click.option("--from", "first", type=Day(), help="First day, YYYY-MM-DD."),
        click.option("--to", "last", type=Day(), help="Last day (included)."),
        click.option(
            "--google",
            is_flag=False,
            flag_value="primary",
            default=None,
            metavar="[CALENDAR_ID]",
            help="A Google calendar (default: primary; 'all' for every readable one).",
        ),
        click.option("--demo", is_flag=True, help="Use the bundled demo calendar and rules."),
        click.option(
            "--no-prefilter",
            "prefilter",
            flag_value=False,
            default=True,
            help="Parse whole .ics files instead of only the parts that can touch the period.",
        ),
        click.option(
            "--no-cache",
            "cache",
            flag_value=False,
            default=True,
            help="Neither use nor fill the cache of events read from calendars.",
        ),
        click.option(
            "--timeout",
            type=Finite(min=0, min_open=True, max=86400),
            metavar="SECONDS",
            help="Give up on a calendar URL after this many seconds, retries included (default 60).",
        ),
        click.option(
            "--max-download-mb",
            type=Finite(min=0, min_open=True, max=1_000_000),
            metavar="MB",
            help="Refuse a calendar URL whose body is larger than this (default 200).",
        ),
    ]

    def with_inputs(**kwargs: Any) -> Any:
        inputs = Inputs(
            ics=kwargs.pop("ics"),
            rules=kwargs.pop("rules"),
            period=kwargs.pop("period"),
            first=kwargs.pop("first"),
            last=kwargs.pop("last"),
            demo=kwargs.pop("demo"),
            prefilter=kwargs.pop("prefilter"),
            cache=kwargs.pop("cache"),
            google=kwargs.pop("google"),
            timeout=kwargs.pop("timeout"),
            max_download_mb=kwargs.pop("max_download_mb"),
        )
        return command(inputs=inputs, **kwargs)

    wrapped: Callable[..., Any] = functools.update_wrapper(with_inputs, command)
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped


def output_option(what: str = "the report") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--output/-o FILE``: written atomically, through symlinks, into FIFOs; ``-`` is stdout."""
    return click.option(
        "--output",
        "-o",
        type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
        help=f"Write {what} to this file (atomically) instead of standard output; '-' is standard output.",
    )


def warn(messages: Sequence[str]) -> None:
    for message in messages:
        click.echo(f"calaudit: warning: {one_line(message)}", err=True)


class _ProgressBar:
    """A transient bar on stderr, shown only once reading is slow."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, name: str, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < PROGRESS_AFTER_SECONDS:
                return
            from rich.progress import Progress

            self.bar = Progress(*Progress.get_default_columns(), console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(name)
        # A total of 0 means unknown (Google pages): the bar then just pulses.
        self.bar.update(self.task, description=f"Reading {name}", completed=done, total=total or None)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@contextmanager
def reading(enabled: bool) -> Iterator[ReadProgress | None]:
    """A progress bar while calendars are read, only on a terminal."""
    console = stderr()
    if not (enabled and console.is_terminal):
        yield None
        return
    bar = _ProgressBar(console)
    try:
        yield bar
    finally:
        bar.close()


def plain_text(renderable: RenderableType, width: int = 100) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, highlight=False, markup=False).print(renderable)
    return buffer.getvalue()


def emit(text: str, path: Path | None) -> None:
    """Standard output, or the file ``path`` (``-`` is standard output too)."""
    if path is None or str(path) == "-":
        click.echo(text, nl=False)
    else:
        write_output(path, text.encode())


def is_stdout(path: Path | None) -> bool:
    return path is None or str(path) == "-"
