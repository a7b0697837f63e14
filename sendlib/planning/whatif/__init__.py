"""What-if staffing: a calibrated Monte Carlo simulation of the SENDCo's school year.

A ratio of hours (:mod:`sendlib.rules.capacity`) says whether the SENDCo's protected time
covers the meetings owed; it cannot say how late replies get when the week is lumpy, or
which reviews fall off the end of a term. This package simulates the rest of the school
year (or a whole year) school day by school day, many times over, under *scenarios*:
changes to the school's baseline such as another SENDCo day, more surgeries, more reviews
led by class teachers, an assistant SENDCo or more requests.

The path, one module each: :mod:`~sendlib.planning.whatif.scenarios` reads the changes;
:mod:`~sendlib.planning.whatif.model` fits the school's rates and state as of the date;
:mod:`~sendlib.planning.whatif.plan` applies a scenario to them;
:mod:`~sendlib.planning.whatif.simulation` runs the year (with
:mod:`~sendlib.planning.whatif.queue` serving replies and
:mod:`~sendlib.planning.whatif.booking` filling the diary);
:mod:`~sendlib.planning.whatif.summary` puts the results in words and
:mod:`~sendlib.planning.whatif.backtest` replays a recorded term to check the model.

Results per scenario, each with a 10-90% band over the runs: share of requests
acknowledged on time, median school days from request to meeting, share of registered
pupils reaching three counting meetings by the year's end, annual reviews late, SENDCo
utilisation (meetings, surgeries, preparation, write-up and replies over protected
minutes, as in :mod:`sendlib.rules.capacity`; other SEND work is not in it) and requests
waiting at the year's end (no reply yet, or a meeting still to come).

Assumptions kept deliberately simple (and stated in the report): the register is fixed
at the date (no new pupils), booked meetings are held (no cancellations or
non-attendance), every counting meeting of a class-teacher-led review happens, request
meetings are for registered pupils at the fitted share and spread evenly over them, an
assistant SENDCo's minutes can do any of this work except surgeries.
"""

from sendlib.planning.whatif.backtest import BACK_TEST_TOLERANCE, BackTest, back_test
from sendlib.planning.whatif.model import (
    ArrivalRates,
    RequestMeetings,
    SchoolModel,
    fit_arrival_rates,
    fit_model,
    fit_request_meetings,
)
from sendlib.planning.whatif.plan import Plan, plan_scenario
from sendlib.planning.whatif.queue import serve_oldest_first, simulate_queue
from sendlib.planning.whatif.scenarios import (
    Scenario,
    ScenarioError,
    as_scenarios,
    baseline_of,
    load_scenarios,
    parse_scenarios,
    resolve_scenarios_file,
)
from sendlib.planning.whatif.simulation import ScenarioResult, WhatIfResult, simulate
from sendlib.planning.whatif.summary import (
    METRIC_KIND,
    METRICS,
    assumptions,
    comparison_sentences,
    describe,
    format_value,
    summarise,
    summary_table,
)

__all__ = [
    "BACK_TEST_TOLERANCE",
    "METRICS",
    "METRIC_KIND",
    "ArrivalRates",
    "BackTest",
    "Plan",
    "RequestMeetings",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "SchoolModel",
    "WhatIfResult",
    "as_scenarios",
    "assumptions",
    "back_test",
    "baseline_of",
    "comparison_sentences",
    "describe",
    "fit_arrival_rates",
    "fit_model",
    "fit_request_meetings",
    "format_value",
    "load_scenarios",
    "parse_scenarios",
    "plan_scenario",
    "resolve_scenarios_file",
    "serve_oldest_first",
    "simulate",
    "simulate_queue",
    "summarise",
    "summary_table",
]
