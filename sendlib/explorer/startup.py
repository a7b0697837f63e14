"""The explorer's start: what ``serve`` tells the notebook's kernel, and the page meanwhile.

``serve`` passes the school folder, as-of date and plotly bundle address to the kernel in
the environment variables named here; the notebook's first cell reads them with
:func:`parameters_from_environment` (which also tells ``serve`` that a kernel runs the
notebook) and shows :func:`starting_html` until the explorer is drawn (Voila's own page
shows ``serve``'s notice before that, while the notebook runs). Kept free of
polars, plotly and the rules, so that cell runs the moment the kernel is up and the
command line can import it without them.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variables through which ``serve`` passes its school to the notebook's kernel.
ENV_SCHOOL_DIR = "SENDLIB_SCHOOL_DIR"
ENV_AS_OF = "SENDLIB_AS_OF"
#: Where Voila serves plotly.js (set by ``serve``; see :mod:`sendlib.explorer.chart`).
ENV_PLOTLY_BUNDLE = "SENDLIB_PLOTLY_BUNDLE_URL"
#: The ``id`` of the page's ``<script>`` element that loads plotly.js under ``serve``.
PLOTLY_SCRIPT_ID = "sendlib-plotly"
#: plotly.js for the explorer's charts: its "basic" bundle (MIT, ``plotly-basic.LICENSE``
#: beside it), with the trace types sendlib's live charts use, at the plotly.js version the
#: installed plotly ships (``scripts/update_plotly_basic.sh`` refreshes it). A quarter of
#: the full bundle: the browser runs it in 0.25 s instead of 2.2 s on the 2-core
#: development machine, while the page opens.
PLOTLY_BASIC = Path(__file__).resolve().parent / "static" / "plotly-basic.min.js"
#: The trace types :data:`PLOTLY_BASIC` draws; a live chart of any other would stay blank.
PLOTLY_BASIC_TRACES = ("bar", "scatter", "pie")
#: A file the notebook's kernel creates as it starts, so ``serve`` opens the page then.
ENV_STARTED_FILE = "SENDLIB_EXPLORER_STARTED_FILE"

#: The notice's look; it disappears once the explorer is on the page (``:has``), in Voila
#: and in JupyterLab alike, so no code has to remove it.
_STARTING_STYLE = (
    "<style>.sendlib-starting{font:16px sans-serif;color:#333;margin:1em 0}"
    ".sendlib-starting::before{content:'';display:inline-block;width:.9em;height:.9em;"
    "margin-right:.6em;vertical-align:-.1em;border:2px solid #bbb;border-top-color:#333;"
    "border-radius:50%;animation:sendlib-spin 1s linear infinite}"
    "@keyframes sendlib-spin{to{transform:rotate(360deg)}}"
    "@media (prefers-reduced-motion:reduce){.sendlib-starting::before{animation:none}}"
    "body:has(.sendlib-explorer) .sendlib-starting{display:none}</style>"
)


def parameters_from_environment(school_dir: str, as_of: str) -> tuple[str, str]:
    """The notebook's parameters, overridden by ``serve``'s environment variables if set.

    Under ``serve`` (``SENDLIB_SCHOOL_DIR`` set) the date is ``SENDLIB_AS_OF`` as the user
    gave it, or empty when they gave none: the notebook's own default never applies, and
    ``open_school`` settles an empty date by the rule every command uses. Also tells
    ``serve`` that a kernel is running the notebook (Voila has registered that kernel
    for the first visit), so it can open the page.
    """
    started = os.environ.get(ENV_STARTED_FILE)
    if started:
        Path(started).touch()
    served = os.environ.get(ENV_SCHOOL_DIR)
    if not served:
        return school_dir, os.environ.get(ENV_AS_OF) or as_of
    return served, os.environ.get(ENV_AS_OF, "")


def starting_html() -> str:
    """The "starting" notice shown while the explorer is built, as an HTML fragment."""
    return (
        _STARTING_STYLE
        + '<p class="sendlib-starting" role="status">Starting the caseload explorer: '
        "reading the school's records and drawing the page (a few seconds).</p>"
    )


def show_starting() -> None:
    """Show :func:`starting_html` in the notebook (JupyterLab, or Voila's page)."""
    from IPython.display import HTML, display

    display(HTML(starting_html()))
