"""The explorer's live charts: a plotly.js figure in a small widget, redrawn in place.

A :class:`Chart` holds one figure as plotly.js takes it (``data``, ``layout``, ``config``)
and its browser side draws it with ``Plotly.react``, again whenever the figure changes, so
a filter redraws the bars without rebuilding the chart. It replaces plotly's
``FigureWidget``, which on the 2-core development machine cost each explorer start about
a second in the kernel (importing and validating plotly.py's figure classes) and two more
in the browser (its 5 MB bundle evaluated, then layout messages sent back to Python).

plotly.js is the "basic" bundle kept in sendlib (bar, scatter and pie traces, see
:data:`~sendlib.explorer.startup.PLOTLY_BASIC`), never fetched from the internet. Under
``sendlib explore`` Voila serves that file and the page runs it once as it opens, while
the kernel is still building the explorer (the address is in the kernel's environment,
:data:`~sendlib.explorer.startup.ENV_PLOTLY_BUNDLE`); in JupyterLab each chart carries
the file itself, as ``FigureWidget`` does.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from pathlib import Path

import anywidget
import traitlets

from sendlib.explorer.startup import (
    ENV_PLOTLY_BUNDLE,
    PLOTLY_BASIC,
    PLOTLY_BASIC_TRACES,
    PLOTLY_SCRIPT_ID,
)
from sendlib.present.figures import CHART_CONFIG

#: The browser side: wait for plotly.js (the page's script, else ``LOAD``), draw, redraw.
_RENDER = """
async function plotly() {
  if (globalThis.Plotly) return globalThis.Plotly;
  const tag = document.getElementById(%(script_id)s);
  if (tag) {
    await new Promise((resolve, reject) => {
      if (globalThis.Plotly) return resolve();
      tag.addEventListener("load", resolve);
      tag.addEventListener("error", reject);
    });
  } else {
    await LOAD();
  }
  return globalThis.Plotly;
}

export default {
  async render({ model, el }) {
    const Plotly = await plotly();
    const plot = document.createElement("div");
    el.appendChild(plot);
    const draw = () => {
      const figure = model.get("figure");
      return Plotly.react(plot, figure.data, figure.layout, figure.config);
    };
    await draw();
    model.on("change:figure", draw);
    return () => {
      model.off("change:figure", draw);
      Plotly.purge(plot);
    };
  },
};
"""


@functools.cache
def plotly_template(name: str = "plotly_white") -> dict:
    """One of plotly's named templates as plotly.js takes it (plotly.py resolves the name)."""
    spec = importlib.util.find_spec("plotly")
    folder = Path(spec.origin).parent / "package_data" / "templates"
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


@functools.cache
def _chart_module(url: str | None) -> str:
    """The chart's JavaScript module: plotly.js fetched from ``url``, or inside the module."""
    render = _RENDER % {"script_id": json.dumps(PLOTLY_SCRIPT_ID)}
    if url is not None:
        load = f"const LOAD = () => import(new URL({json.dumps(url)}, location.href).href);\n"
        return load + render
    # plotly.js sets window.Plotly; run it once however many charts the page holds.
    inline = PLOTLY_BASIC.read_text(encoding="utf-8")
    return f"const LOAD = async () => {{ if (!globalThis.Plotly) {{ {inline}\n}} }};\n" + render


class Chart(anywidget.AnyWidget):
    """One plotly.js figure, drawn in the browser and redrawn when :attr:`figure` changes.

    ``figure`` is plotly.js's own figure: ``{"data": [...], "layout": {...}, "config":
    {...}}``; :func:`chart` builds one with the toolbar every sendlib chart has.
    """

    figure = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_class("sendlib-chart")

    @property
    def traces(self) -> list[dict]:
        """The figure's traces, as drawn."""
        return self.figure.get("data", [])

    def redraw(self, data: list[dict]) -> None:
        """Replace the traces, keeping the layout and toolbar (one message to the browser)."""
        self.figure = {**self.figure, "data": data}

    def show(self, figure) -> None:
        """Draw a plotly.py figure in place of this one (same toolbar)."""
        self.figure = _plain(figure)


def chart(data: list[dict], layout: dict) -> Chart:
    """A :class:`Chart` with plotly's ``plotly_white`` look and sendlib's chart toolbar.

    The toolbar is :data:`sendlib.present.figures.CHART_CONFIG`, as in every report: a PNG
    download, zoom, pan and reset, nothing that uploads the figure.
    """
    figure = {
        "data": data,
        "layout": {"template": plotly_template(), **layout},
        "config": CHART_CONFIG,
    }
    return _new_chart(figure)


def chart_of(figure) -> Chart:
    """A :class:`Chart` of a plotly.py figure (its template already resolved by plotly.py)."""
    return _new_chart(_plain(figure))


def _plain(figure) -> dict:
    """A plotly.py figure as plotly.js takes it, in JSON types (arrays as lists), with the toolbar."""
    return {**json.loads(figure.to_json()), "config": CHART_CONFIG}


def _new_chart(figure: dict) -> Chart:
    """The chart of ``figure``; ``ValueError`` for a trace the basic bundle cannot draw."""
    for trace in figure["data"]:
        if trace.get("type", "scatter") not in PLOTLY_BASIC_TRACES:
            raise ValueError(
                f"a live chart cannot draw {trace['type']!r} traces: plotly.js's basic bundle "
                f"has {', '.join(PLOTLY_BASIC_TRACES)}"
            )
    return _chart_class(os.environ.get(ENV_PLOTLY_BUNDLE) or None)(figure=figure)


@functools.cache
def _chart_class(url: str | None) -> type[Chart]:
    """The :class:`Chart` class whose module loads plotly.js from ``url`` (or inline)."""
    return type("Chart", (Chart,), {"_esm": _chart_module(url)})
