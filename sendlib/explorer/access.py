"""Who may open the explorer: only the person who started it, on this computer.

Each start gets a random token (:func:`new_token`). Voila's jupyter_server machinery
checks it: ``serve`` hands it to Voila in ``JUPYTER_TOKEN`` (the environment, which other
users cannot read, unlike a command line), and a request without it, or without the
login cookie it sets, is refused. :func:`tornado_settings` turns off Voila's default
remote access, so a Host header other than this computer's (DNS rebinding) is refused,
and allows websockets only from the page's own origin. The browser is opened on an
owner-only file that redirects to the address (:func:`write_browser_open_file`), as
Jupyter does, so the token never appears in the browser's command line either.
"""

from __future__ import annotations

import html
import os
import secrets
from pathlib import Path

#: The environment variable jupyter_server reads its token from.
ENV_TOKEN = "JUPYTER_TOKEN"
#: The login cookie is sent on the SENDCo's own navigation, never with another site's POST.
COOKIE_OPTIONS = {"samesite": "Lax", "httponly": True}


def new_token() -> str:
    """A fresh random token for one start of the explorer (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def page_url(port: int, token: str) -> str:
    """The explorer's address with its token, as printed and opened.

    jupyter_server's login page takes the token, sets the login cookie and redirects to
    the explorer at ``/``: the token leaves the address bar at once, and never reaches
    the explorer's request, which Voila passes on to its kernel (and, with preheated
    kernels, to anyone who asks ``/voila/query/`` for that kernel's id).
    """
    return f"http://127.0.0.1:{port}/login?token={token}"


def tornado_settings(port: int) -> dict:
    """Voila's web server settings: this computer only, the page's own origin, the CSP.

    Voila 0.5 sets ``allow_remote_access`` on and applies these settings after its own,
    so here it is turned off again: jupyter_server then serves only a loopback address or
    ``localhost`` as the Host. ``allow_origin`` names the page's origin, so a websocket
    or a POST from any other origin (with the login cookie) is refused, and no other
    origin is sent in ``Access-Control-Allow-Origin``.

    Voila's page never receives the ``_xsrf`` cookie its goodbye request (shut down my
    kernel) must echo, so every closed or reloaded page left its kernel running (Voila
    issue 1458). The xsrf check is off instead; that origin check stays, and the login
    cookie is ``SameSite=Lax`` (:data:`COOKIE_OPTIONS`), so no other site can post with it.
    """
    return {
        "allow_remote_access": False,
        "local_hostnames": ["localhost"],
        "allow_origin": f"http://127.0.0.1:{port}",
        "disable_check_xsrf": True,
        "headers": {"Content-Security-Policy": content_security_policy(port)},
    }


def content_security_policy(port: int) -> str:
    """What the page may load: only this server (and its own blob and data URLs).

    Voila's page template links an icon font from a CDN; on a school network that drops
    such requests it can hold up the page, and pupil pages should fetch nothing from the
    internet anyway. The browser refuses it at once (Voila bundles the font already).
    """
    here = f"http://127.0.0.1:{port} ws://127.0.0.1:{port}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            f"connect-src 'self' {here}",
            "frame-ancestors 'self'",
        ]
    )


def write_browser_open_file(path: Path, url: str, school_name: str) -> Path:
    """Write an owner-only (0600) page that says the explorer is starting and opens ``url``.

    The browser shows it until the explorer's first bytes arrive. Created with its mode
    at once (``O_EXCL``), so no other user can read the token even for a moment.
    """
    link = html.escape(url, quote=True)
    title = html.escape(f"Starting the caseload explorer for {school_name}")
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="refresh" content="0;url={link}">\n<title>{title}</title>\n'
        "<style>body{font-family:sans-serif;margin:3em;color:#333}</style>\n</head>\n<body>\n"
        f"<h1>{title}&hellip;</h1>\n"
        "<p>This takes a few seconds. If the explorer does not appear, "
        f'<a href="{link}">open it here</a>.</p>\n</body>\n</html>\n'
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(page)
    return path
