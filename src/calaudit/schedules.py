"""Ready-to-use crontab and systemd units for the monthly scheduled run."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

ENV_FILE = "smtp.env"


def executable() -> str:
    """The absolute command that runs this calaudit, wherever cron or systemd start it."""
    found = shutil.which("calaudit")
    script = Path(sys.argv[0])
    if script.name == "calaudit" and script.exists():
        return str(script.resolve())
    if found:
        return str(Path(found).resolve())
    return f"{shlex.quote(sys.executable)} -m calaudit"


def render(command: str, rules: Path, config_dir: Path) -> str:
    run = f"{command} cron --rules {shlex.quote(str(rules))}"
    env_file = config_dir / ENV_FILE
    return f"""\
# The password for email.smtp.user goes in {env_file} (chmod 600), one line:
#   CALAUDIT_SMTP_PASSWORD=...
#
# cron: run 'crontab -e' and add this line (07:00 on the 1st of every month; cron mails
# you whatever it prints, and a successful run prints nothing):
0 7 1 * * set -a; [ -f {shlex.quote(str(env_file))} ] && . {shlex.quote(str(env_file))}; set +a; {run}

# systemd (user units): save as ~/.config/systemd/user/calaudit.service
[Unit]
Description=calaudit monthly time report

[Service]
Type=oneshot
EnvironmentFile=-{env_file}
ExecStart={run}

# ... and as ~/.config/systemd/user/calaudit.timer
[Unit]
Description=calaudit monthly time report

[Timer]
OnCalendar=*-*-01 07:00:00
Persistent=true

[Install]
WantedBy=timers.target

# then: systemctl --user daemon-reload && systemctl --user enable --now calaudit.timer
# (and 'loginctl enable-linger' so it runs while you are logged out)
"""
