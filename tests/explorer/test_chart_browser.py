"""The live chart's own JavaScript in chromium, as JupyterLab runs it: plotly.js inside it.

Under ``sendlib explore`` the page loads plotly.js (the explorer browser tests cover that
path); in JupyterLab each chart's module carries the basic bundle itself. Here that
module is imported from a blob, as anywidget does, and rendered twice with a stand-in
for the widget's model: plotly.js runs once, the bars are drawn, a new figure redraws
them in place, and the toolbar offers nothing that uploads.
"""

import json

import pytest

from sendlib.explorer import chart, startup

pytestmark = pytest.mark.browser

#: Import the module text as anywidget does, and render it into two elements with a model
#: that holds ``figure`` and calls back on change, as ipywidgets' does.
RENDER = """async ([source, figure]) => {
  const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
  const widget = (await import(url)).default;
  const models = [];
  for (const name of ['first', 'second']) {
    const handlers = [];
    const model = {
      value: figure,
      get: (key) => model.value,
      on: (event, handler) => handlers.push(handler),
      off: () => {},
      set: (value) => { model.value = value; handlers.forEach(h => h()); },
    };
    const el = document.createElement('div');
    el.id = name;
    document.body.appendChild(el);
    await widget.render({model, el});
    models.push(model);
  }
  window.models = models;
  return document.querySelectorAll('.js-plotly-plot .barlayer .point').length;
}"""


def test_a_chart_carrying_plotly_js_draws_and_redraws_in_place(browser, monkeypatch):
    monkeypatch.delenv(startup.ENV_PLOTLY_BUNDLE, raising=False)
    live = chart.chart(
        [{"type": "bar", "x": ["Year 7", "Year 8"], "y": [3, 5], "name": "On track"}],
        {"title": {"text": "Pupils"}, "height": 300},
    )
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_content("<html><body></body></html>")
    # Count how many times plotly.js runs: it defines window.Plotly each time.
    page.evaluate(
        """() => { let p; Object.defineProperty(window, 'Plotly', {configurable: true,
          get: () => p, set: (v) => { window.plotlyRuns = (window.plotlyRuns || 0) + 1; p = v; }}); }"""
    )
    bars = page.evaluate(RENDER, [live._esm, live.figure])
    assert bars == 4  # two bars in each of two charts
    assert page.evaluate("window.plotlyRuns") == 1
    assert page.evaluate("document.querySelector('#first .js-plotly-plot').data[0].y") == [3, 5]
    redrawn = json.loads(json.dumps(live.figure))
    redrawn["data"][0]["y"] = [4, 1]
    page.evaluate("(figure) => window.models[0].set(figure)", redrawn)
    page.wait_for_function(
        "() => JSON.stringify(document.querySelector('#first .js-plotly-plot').data[0].y) === '[4,1]'"
    )
    assert page.locator("#first .js-plotly-plot").count() == 1  # the same chart, redrawn
    titles = page.evaluate(
        "() => [...document.querySelectorAll('#first .modebar-btn')].map(b => b.getAttribute('data-title'))"
    )
    assert titles and not any("cloud" in t.lower() or "edit" in t.lower() for t in titles)
    assert not page.locator("#first .modebar-btn--logo").count()
    assert errors == []
    page.close()
