"""The SENDCo's caseload explorer: filter the caseload and see who needs what next.

Each layer is usable without the next:

- :mod:`~sendlib.explorer.queries` (polars in and out, no HTML): the caseload as of a
  date, filters, the headline strip, sort orders and chart counts;
  :mod:`~sendlib.explorer.due` what is owed for each pupil and by when;
  :mod:`~sendlib.explorer.todo` the to-do lists and :mod:`~sendlib.explorer.timeline`
  one pupil's year; :mod:`~sendlib.explorer.labels` the words they share with the page;
- :mod:`~sendlib.explorer.views`: those frames as escaped HTML fragments;
- :mod:`~sendlib.explorer.app`: the ipywidgets and plotly ``FigureWidget`` page, whose
  callbacks only call the queries and views, so ``notebooks/caseload_explorer.ipynb`` is
  a few lines;
- :mod:`~sendlib.explorer.serve`: runs that notebook as a Voila app on 127.0.0.1 (no code
  shown), with the school folder and as-of date passed to the kernel in environment
  variables.

This is the SENDCo's own tool, so groups are not suppressed and pupils appear by their
pseudonymous IDs; a ``display_name`` column, when the school's data has one, is shown
here and nowhere else.
"""
