"""Signing in to Google once, with the installed-app loopback flow of google-auth-oauthlib.

The out-of-band (copy a code) flow was removed by Google in 2022; the loopback flow opens
a browser, or with --no-browser prints the address to open elsewhere, and receives the
answer on a local port. The token is written atomically with mode 0600.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from google_auth_oauthlib.flow import InstalledAppFlow

from ..errors import SourceError
from ..storage import atomic_write
from .google import SCOPES, SIGNED_IN_KEY

NO_BROWSER_PORT = 8765


def headless_help(port: int) -> str:
    return (
        "Open the address below in a browser on any machine. If this machine is a server "
        f"without a browser, first forward the port from your laptop:\n"
        f"  ssh -L {port}:localhost:{port} this-server\n"
        "then open the address on the laptop; Google redirects back through the tunnel."
    )


def sign_in(client_secrets: Path, token_file: Path, open_browser: bool, port: int, now: datetime) -> None:
    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=SCOPES)
    except (ValueError, KeyError) as exc:
        raise SourceError(
            f"{client_secrets}: not an OAuth client of type 'Desktop app' ({exc}); download it again"
        ) from None
    credentials = flow.run_local_server(
        port=port,
        open_browser=open_browser,
        authorization_prompt_message="Sign in at: {url}",
        success_message="calaudit is signed in; you can close this window.",
    )
    token = json.loads(credentials.to_json()) | {SIGNED_IN_KEY: now.isoformat()}
    atomic_write(token_file, json.dumps(token).encode(), mode=0o600)
