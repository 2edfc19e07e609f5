"""What a run takes from its surroundings: folders, the clock, secrets, the consoles.

Commands receive one ``Env``; tests build their own with temporary folders and a fixed
clock instead of patching eight call sites.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

APP_NAME = "calaudit"
PASSWORD_VARIABLE = "CALAUDIT_SMTP_PASSWORD"  # noqa: S105 - the name of a variable, not a password


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Env:
    config_dir: Path
    """rules.yaml (when not in the working folder), the Google token, smtp.env."""
    cache_dir: Path
    """The event cache."""
    data_dir: Path
    """Run history and the scheduled-run lock."""
    cwd: Path = field(default_factory=Path.cwd)
    clock: Callable[[], datetime] = _utc_now
    smtp_password: str | None = None

    def now(self) -> datetime:
        return self.clock()

    @classmethod
    def from_os(cls) -> Env:
        """The user's folders (XDG on Linux) and CALAUDIT_SMTP_PASSWORD from the environment."""
        import platformdirs

        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME)),
            cache_dir=Path(platformdirs.user_cache_dir(APP_NAME)),
            data_dir=Path(platformdirs.user_data_dir(APP_NAME)),
            smtp_password=os.environ.get(PASSWORD_VARIABLE) or None,
        )
