"""Each leadership headline against the previous term and the same term last year.

Issue 16 point 2. The earlier figures come from :func:`leadership_summary` itself, run at an
earlier as-of date, so they follow the same rules (records after that date ignored):

- the report's *term* is the term holding the as-of date or, in a holiday, the last one ended;
- the *previous term* is measured on its last day: the figures it closed on, the same all
  through this term;
- the *same term last year* (the one of last school year starting nearest a year earlier)
  is measured at the same point: the same school day of the term (the 40th school day,
  say), or as many days into the holiday after it. Year-to-date figures (on-time share,
  pupils not met) only compare like for like at the same point of the year.

Pupils on track and not met are not compared with a date before any term of its year had
ended (the end of an autumn term): nobody could yet have missed one. A share's change is in
points between the whole percentages shown, so a reader's subtraction agrees; SENDCo time
used goes up or down but is neither better nor worse.

A comparison needs the term in school.toml and at least one request or meeting recorded in
it; otherwise the report says why in words. Privacy (DOMAIN.md "Privacy"): each side goes
through :mod:`sendlib.present.privacy`, a count from 1 to ``suppress_below - 1`` shown as
"<5", a share only where :func:`~sendlib.present.privacy.share_allowed`; a change is shown
only when both its sides are (:func:`~sendlib.present.privacy.change`), so neither can be
worked back from the other and the change. A change of two shown figures adds nothing a
reader could not subtract. SENDCo hours are not counts of pupils and are shown as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import polars as pl

from sendlib.present.escape import html_text
from sendlib.present.leadership import LeadershipSummary, leadership_summary
from sendlib.present.privacy import change, share_allowed, show_share, small, suppressed
from sendlib.rules.requests import response_summary
from sendlib.school.asof import academic_year_start, year_label
from sendlib.school.calendar import SchoolCalendar, Term
from sendlib.school.errors import CalendarRangeError
from sendlib.school.load import School

PREVIOUS, LAST_YEAR = "previous", "last_year"
#: How each comparison is named in a change's words ("up 6 points on last term").
AGAINST = {PREVIOUS: "last term", LAST_YEAR: "the same term last year"}
ARROWS = {"up": "\u25b2", "down": "\u25bc", "same": "="}


@dataclass(frozen=True)
class Rule:
    """How one headline compares: its label, what it measures and which way is better."""

    label: str
    kind: Literal["share", "count", "hours"]
    #: The direction that is better ("down": fewer overdue is better); ``None``: neither.
    better: Literal["up", "down"] | None
    #: Only comparable when both dates have a completed term (none can be missed before).
    needs_completed_term: bool = False


#: Every headline of the leadership report, by key (tests check none is left out).
RULES = {
    "on_time_share": Rule("Requests acknowledged on time", "share", "up"),
    "open_overdue": Rule("Requests open past their deadline", "count", "down"),
    "on_track_share": Rule("Registered pupils on track for their meetings", "share", "up", True),
    "never_met": Rule("Pupils not met this year", "count", "down", True),
    "annual_reviews": Rule("EHC plan annual reviews overdue", "count", "down"),
    "utilisation": Rule("SENDCo time used by meetings this term", "hours", None),
}


@dataclass(frozen=True)
class Figure:
    """One side of a comparison as a reader sees it, and the number compared (``None``: none)."""

    label: str
    value: int | None
    hidden: bool = False


@dataclass(frozen=True)
class Change:
    """The change from an earlier figure: an arrow (for the eye) and words (for everyone)."""

    arrow: str
    words: str
    direction: Literal["up", "down", "same"] | None = None
    verdict: Literal["better", "worse"] | None = None


@dataclass(frozen=True)
class Point:
    """One earlier date to compare with, or the sentence saying the data does not hold it."""

    key: str
    term: Term | None
    as_of: dt.date | None
    summary: LeadershipSummary | None
    missing: str | None

    @property
    def heading(self) -> str:
        """The column heading: the term and the date it is measured on."""
        when = "at its end" if self.key == PREVIOUS else "at the same point"
        return f"{self.term.name}, {when} ({self.as_of:%a %d %b %Y})"


@dataclass(frozen=True)
class Row:
    """One headline now and at each earlier date that the data holds, with the changes."""

    key: str
    label: str
    now: Figure
    then: dict[str, Figure]
    changes: dict[str, Change]


@dataclass(frozen=True)
class Comparison:
    """The leadership headlines against the previous term and the same term last year."""

    term: Term | None
    as_of: dt.date
    points: tuple[Point, ...]
    rows: tuple[Row, ...]

    @property
    def shown(self) -> tuple[Point, ...]:
        """The earlier dates the data holds, in order (previous term, then last year)."""
        return tuple(p for p in self.points if p.summary is not None)

    def notes(self) -> list[str]:
        """Sentences for the reader: how the dates were chosen, and what could not be compared."""
        if self.term is None:
            return ["No term has started yet, so there is nothing to compare with."]
        dates = [
            f"{p.term.name} on its last day, {p.as_of:%a %d %b %Y} (the figures it closed on)"
            if p.key == PREVIOUS
            else f"{p.term.name} on {p.as_of:%a %d %b %Y}, as far into the term as "
            f"{self.as_of:%a %d %b %Y} is into {self.term.name}"
            for p in self.shown
        ]
        text = []
        if dates:
            text.append(
                "Each earlier figure is worked out by the same rules as the headlines, from the "
                f"records as they stood then: {'; '.join(dates)}. A change is left out where "
                "either of its figures is hidden."
            )
        text += [
            f"No comparison with {AGAINST[p.key]}: {p.missing}." for p in self.points if p.missing
        ]
        return text


def compare_terms(school: School, report: LeadershipSummary) -> Comparison:
    """Compare ``report``'s headlines with the previous term and the same term last year."""
    as_of = report.year.as_of
    term = _report_term(school.calendar, as_of)
    if term is None:
        return Comparison(None, as_of, (), ())
    points = (_previous(school, term), _last_year(school, term, as_of))
    rows = tuple(_row(report, h.key, points) for h in report.headlines)
    return Comparison(term, as_of, points, rows)


def _report_term(calendar: SchoolCalendar, as_of: dt.date) -> Term | None:
    """The term holding ``as_of``, or in a holiday the last one that ended (``None``: none yet)."""
    current = calendar.term_of(as_of)
    return current or next((t for t in reversed(calendar.terms) if t.end < as_of), None)


def _previous(school: School, term: Term) -> Point:
    terms = school.calendar.terms
    index = terms.index(term)
    if index == 0:
        why = f"the calendar in school.toml has no term before {term.name}"
        return Point(PREVIOUS, None, None, None, why)
    return _point(school, PREVIOUS, terms[index - 1], terms[index - 1].end)


def _last_year(school: School, term: Term, as_of: dt.date) -> Point:
    calendar = school.calendar
    start = academic_year_start(term.start)
    begins = start.replace(year=start.year - 1)
    earlier = [t for t in calendar.terms if begins <= t.start < start]
    if not earlier:
        why = f"the calendar in school.toml has no terms for {year_label(begins)}"
        return Point(LAST_YEAR, None, None, None, why)
    year_ago = term.start - dt.timedelta(days=365)
    then = min(earlier, key=lambda t: (abs((t.start - year_ago).days), t.start))
    return _point(school, LAST_YEAR, then, _same_point(calendar, term, as_of, then))


def _same_point(calendar: SchoolCalendar, term: Term, as_of: dt.date, then: Term) -> dt.date:
    """The day as far into ``then`` as ``as_of`` is into ``term``, counted in school days.

    In the holiday after ``term`` it is as many days into the holiday after ``then``, and
    never into the next term.
    """
    if as_of > term.end:
        after = [t.start for t in calendar.terms if t.start > then.end]
        last = after[0] - dt.timedelta(days=1) if after else calendar.covers_to
        return min(then.end + (as_of - term.end), last)
    done = len(calendar.school_days(term.start, as_of))
    days = calendar.school_days(then.start, then.end)
    if done == 0 or not days:
        return then.start
    return days[min(done, len(days)) - 1]


def _point(school: School, key: str, term: Term, as_of: dt.date) -> Point:
    if not _has_records(school, term):
        why = f"no records for {term.name} (no request or meeting is dated in it)"
        return Point(key, term, as_of, None, why)
    try:
        summary = leadership_summary(school, as_of)
    except CalendarRangeError as error:
        return Point(key, term, as_of, None, str(error))
    return Point(key, term, as_of, summary, None)


def _has_records(school: School, term: Term) -> bool:
    """Whether any request was received, or any meeting dated, within the term."""
    requests = school.requests.filter(pl.col("received_on").is_between(term.start, term.end))
    meetings = school.meetings.filter(
        pl.col("starts_at").dt.date().is_between(term.start, term.end)
    )
    return requests.height > 0 or meetings.height > 0


# --------------------------------------------------------------------- one headline


def _row(report: LeadershipSummary, key: str, points: tuple[Point, ...]) -> Row:
    rule = RULES[key]
    now = _figure(report, key)
    then, changes = {}, {}
    for point in points:
        if point.summary is None:
            continue
        then[point.key] = _figure(point.summary, key)
        if rule.needs_completed_term and (
            bool(report.year.completed_terms) != bool(point.summary.year.completed_terms)
        ):
            changes[point.key] = Change(
                "",
                f"not comparable: on {point.as_of:%a %d %b %Y} no term of the school year had "
                "ended, so no pupil could yet have missed one",
            )
        else:
            changes[point.key] = _change(now, then[point.key], rule, AGAINST[point.key])
    return Row(key, rule.label, now, then, changes)


def _figure(s: LeadershipSummary, key: str) -> Figure:
    """A headline's figure at the summary's date, suppressed as the report's counts are."""
    t = s.threshold
    if key == "on_time_share":
        overall = response_summary(s.times).row(0, named=True)
        return _share(overall["on_time"], overall["decided"], t, "no requests due yet")
    if key == "on_track_share":
        return _share(int(s.coverage["on_track"].sum()), s.coverage.height, t, "no pupils")
    if key == "utilisation":
        used = s.capacity.summary["utilisation_this_term"]
        if used is None:
            return Figure("no SENDCo hours in the term", None)
        label = f"{used:.0%}"
        return Figure(label, int(label[:-1]))
    count = int(s.headline(key).number or 0)
    if suppressed(count, t):
        return Figure(small(t), None, hidden=True)
    return Figure(f"{count:,}", count)


def _share(part: int, whole: int, threshold: int, none: str) -> Figure:
    """A share as a whole percentage, or its privacy marker where it may not be shown."""
    if whole == 0:
        return Figure(none, None)
    if not share_allowed(part, whole, threshold):
        return Figure(show_share(part, whole, threshold), None, hidden=True)
    label = f"{part / whole:.0%}"
    return Figure(label, int(label[:-1]))


def _change(now: Figure, then: Figure, rule: Rule, against: str) -> Change:
    """The change from ``then`` to ``now`` in words, or why it is not shown."""
    if now.hidden or then.hidden:
        return Change("", "not shown: a figure on one side is too small to show")
    moved = change(then.value, now.value)
    if moved is None:
        return Change("", "no change to show: there is no figure on one side")
    if moved == 0:
        return Change(ARROWS["same"], f"no change on {against}", "same")
    direction = "up" if moved > 0 else "down"
    unit = "" if rule.kind == "count" else (" point" if abs(moved) == 1 else " points")
    words = f"{direction} {abs(moved):,}{unit} on {against}"
    verdict = None
    if rule.better is not None:
        verdict = "better" if direction == rule.better else "worse"
        words += f", {verdict}"
    return Change(ARROWS[direction], words, direction, verdict)


# --------------------------------------------------------------------- the page


def comparison_html(comparison: Comparison) -> str:
    """The comparison as an HTML table and its notes; term names and figures are escaped.

    Arrows are hidden from screen readers (``aria-hidden``): the words beside them say it.
    """
    notes = "".join(f'<p class="comparison-note">{html_text(n)}</p>' for n in comparison.notes())
    if not comparison.shown:
        return notes
    term = comparison.term
    heads = [
        "Figure",
        f"{term.name}, now ({comparison.as_of:%a %d %b %Y})",
        *(h for p in comparison.shown for h in (p.heading, f"Change on {AGAINST[p.key]}")),
    ]
    head = "".join(f'<th scope="col">{html_text(h)}</th>' for h in heads)
    body = "".join(_row_html(row, comparison.shown) for row in comparison.rows)
    caption = "<caption>The headline figures against earlier terms</caption>"
    table = (
        f'<table class="comparison">{caption}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )
    return table + notes


def _row_html(row: Row, points: tuple[Point, ...]) -> str:
    cells = [f'<th scope="row">{html_text(row.label)}</th>', f"<td>{html_text(row.now.label)}</td>"]
    for point in points:
        moved = row.changes[point.key]
        arrow = (
            f'<span class="arrow" aria-hidden="true">{html_text(moved.arrow)}</span> '
            if moved.arrow
            else ""
        )
        classes = " ".join(c for c in ("change", moved.direction, moved.verdict) if c)
        cells.append(f"<td>{html_text(row.then[point.key].label)}</td>")
        cells.append(f'<td class="{classes}">{arrow}{html_text(moved.words)}</td>')
    return "<tr>" + "".join(cells) + "</tr>"


def show_comparison(comparison: Comparison) -> None:
    """Display the comparison in a notebook (the report's "Against earlier terms" section)."""
    from IPython.display import HTML, display

    display(HTML(comparison_html(comparison)))
