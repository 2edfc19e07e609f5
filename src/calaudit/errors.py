"""One error hierarchy; each class knows the exit status the command line maps it to.

Messages are meant for people: they name the file, key path or calendar and say how to
fix the problem. Nothing below ``cli.py`` prints or exits; it raises one of these.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    SOURCE = 3
    DELIVERY = 4
    THRESHOLD = 5


class CalauditError(Exception):
    exit_status: ExitStatus = ExitStatus.UNEXPECTED


class UsageError(CalauditError):
    """A bad command-line value, such as a period that cannot be parsed."""

    exit_status = ExitStatus.USAGE


class ConfigError(CalauditError):
    """rules.yaml is missing, unreadable or invalid."""

    exit_status = ExitStatus.USAGE


class SourceError(CalauditError):
    """A calendar could not be read at all (missing, unreachable, not a calendar)."""

    exit_status = ExitStatus.SOURCE


class OutputError(CalauditError):
    """A report file could not be written."""

    exit_status = ExitStatus.USAGE


class DeliveryError(CalauditError):
    """The report could not be mailed (SMTP refused, unreachable, login failed)."""

    exit_status = ExitStatus.DELIVERY


class UnconfirmedDelivery(DeliveryError):
    """The whole message went out but the server never confirmed it: it may have arrived."""


class ThresholdError(CalauditError):
    """A check failed: --fail-under coverage, or a rule example."""

    exit_status = ExitStatus.THRESHOLD


class BusyError(CalauditError):
    """Another scheduled run holds the lock."""

    exit_status = ExitStatus.UNEXPECTED
