"""The leadership report's content: headline figures, actions and tables, all suppressed.

This report goes to governors: no names, no pupil IDs, and every breakdown by group goes
through :mod:`sendlib.present.privacy` with the policy's ``suppress_below``: a sentence
quotes a group's figure only where the report's table shows it or lets it be worked out.
Whole-school totals are shown as they are. The notebook only displays what
:func:`leadership_summary` returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from sendlib.present.figures import GROUP_HEADERS, coverage_disclosure, group_label
from sendlib.present.privacy import Table, privacy_note, show_count, suppressed
from sendlib.rules.annual_reviews import (
    annual_review_reports,
    annual_reviews,
    school_day_before,
)
from sendlib.rules.capacity import Capacity, capacity
from sendlib.rules.meetings import (
    COVERAGE_LABELS,
    ON_TRACK,
    record_timeliness,
    review_coverage,
)
from sendlib.rules.requests import open_backlog, requests_in_words, response_summary, response_times
from sendlib.school.asof import SchoolYear, school_year
from sendlib.school.load import School


@dataclass(frozen=True)
class Headline:
    """One headline figure and the plain-English sentence that goes with it."""

    key: str
    title: str
    value: str
    sentence: str
    number: float | None = None


@dataclass(frozen=True)
class LeadershipSummary:
    """Everything the leadership report shows, computed once."""

    school: School
    year: SchoolYear
    times: pl.DataFrame  # this school year's requests (rules.requests this_year)
    coverage: pl.DataFrame
    reviews: pl.DataFrame
    records: pl.DataFrame
    reports: pl.DataFrame
    backlog: pl.DataFrame
    capacity: Capacity
    headlines: list[Headline] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    _breakdowns: dict[str, Table] = field(default_factory=dict, repr=False, compare=False)

    @property
    def threshold(self) -> int:
        """The school's small-number threshold."""
        return self.school.policy.suppress_below

    def headline(self, key: str) -> Headline:
        """A headline by key (``on_time_share``, ``open_overdue``, ...)."""
        return next(h for h in self.headlines if h.key == key)

    def breakdown(self, by: str) -> Table:
        """Coverage status by ``by``, suppressed: what its table, chart and sentences may show."""
        if by not in self._breakdowns:
            self._breakdowns[by] = coverage_disclosure(self.coverage, by, self.threshold)
        return self._breakdowns[by]

    def privacy_note(self) -> str:
        """What the report hides and how it marks it, in the policy's threshold."""
        return privacy_note(self.threshold)

    @property
    def statutory(self) -> bool:
        """Whether England's statutory clocks apply to the school (DOMAIN.md)."""
        return self.school.config.applies_english_law

    @property
    def law_note(self) -> str | None:
        """The sentence saying English law does not apply (``None`` where it does)."""
        return self.school.config.law_note

    def meetings_intro(self) -> str:
        """What the parent-meetings section measures, as statutory duty or school policy."""
        minimum = _number(self.school.policy.min_parent_meetings_per_year)
        duty = (
            f"The Code of Practice (6.65) asks schools to meet the parents of every pupil on "
            f"SEN support at least {minimum} times a year"
            if self.statutory
            else f"The school's policy is to meet the parents of every pupil on the register "
            f"at least {minimum} times a year"
        )
        return (
            f"{duty}; our policy is one review each term. A pupil is *on track* for "
            f"{minimum} meetings when every completed term had a meeting: *met this term*, "
            "or with a *meeting still owed this term*. The others *missed a term* or are *not "
            "met this year*."
        )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def leadership_summary(school: School, as_of: dt.date | None = None) -> LeadershipSummary:
    """Compute the report's figures for ``school`` as of a date (default today)."""
    year = school_year(school, as_of)
    a = year.as_of
    recorded = response_times(school, a)
    # The report is about this school year: requests due in it, or still open (rules.requests).
    times = recorded.filter("this_year")
    coverage = review_coverage(school, a)
    reviews = annual_reviews(school, a)
    records = record_timeliness(school, a)
    reports = annual_review_reports(school, a)
    cap = capacity(school, a)
    summary = LeadershipSummary(
        school=school,
        year=year,
        times=times,
        coverage=coverage,
        reviews=reviews,
        records=records,
        reports=reports,
        # Last year's requests answered this year were still open on this year's first days.
        backlog=open_backlog(school, recorded, a),
        capacity=cap,
    )
    summary.headlines.extend(_headlines(summary))
    summary.actions.extend(_actions(summary))
    return summary


def _headlines(s: LeadershipSummary) -> list[Headline]:
    headlines = [*_request_headlines(s), *_meeting_headlines(s)]
    if s.statutory:
        headlines.append(_annual_review_headline(s))
    headlines.append(_utilisation_headline(s))
    return headlines


def _request_headlines(s: LeadershipSummary) -> list[Headline]:
    within = s.school.policy.acknowledge_within_school_days
    overall = response_summary(s.times).row(0, named=True)
    share, median = overall["on_time_share"], overall["median_school_days"]
    median_text = "-" if median is None else f"{median:g}"
    kinds = requests_in_words(overall["meeting_requests"], overall["information_requests"])
    return [
        Headline(
            "on_time_share",
            f"Requests acknowledged within {within} school days",
            _pct(share),
            f"Of {kinds} whose deadline has passed or that were answered this year, "
            f"{_pct(share)} were acknowledged within {within} school days (policy); the median "
            f"acknowledgement took {median_text} school days. {overall['routed']:,} safeguarding "
            "or day-to-day requests were routed away and are not counted as late.",
            share,
        ),
        Headline(
            "open_overdue",
            "Requests open past their deadline",
            f"{overall['open_overdue']:,}",
            f"{overall['open_overdue']:,} requests have not been acknowledged and are past their "
            f"{within}-school-day deadline; {overall['open_not_due']:,} more are open but not yet due.",
            overall["open_overdue"],
        ),
    ]


def _meeting_headlines(s: LeadershipSummary) -> list[Headline]:
    registered = s.coverage.height
    on_track = int(s.coverage["on_track"].sum())
    met = int((s.coverage["status"] == "done_this_term").sum())
    never = int((s.coverage["status"] == "never_met").sum())
    minimum = s.school.policy.min_parent_meetings_per_year
    duty = (
        f"the statutory {_number(minimum)} a year (Code of Practice 6.65)"
        if s.statutory
        else f"the school's policy of {_number(minimum)} a year"
    )
    return [
        Headline(
            "on_track_share",
            f"Registered pupils on track for {_number(minimum)} meetings",
            _pct(on_track / registered if registered else None),
            f"{on_track:,} of {registered:,} pupils on SEN support or with an EHC plan have had a "
            f"parent meeting in every completed term this year, so are on track for {duty}: "
            f"{met:,} met this term and {on_track - met:,} with a meeting still owed this term.",
            on_track / registered if registered else None,
        ),
        Headline(
            "never_met",
            "Pupils not met this year",
            f"{never:,}",
            f"{never:,} registered pupils have had no parent meeting at all this school year, "
            "although at least one term has ended.",
            never,
        ),
    ]


def _annual_review_headline(s: LeadershipSummary) -> Headline:
    overdue_reviews = int((s.reviews["status"] == "overdue").sum())
    soon_reviews = int((s.reviews["status"] == "due_soon").sum())
    return Headline(
        "annual_reviews",
        "EHC plan annual reviews overdue / due soon",
        f"{overdue_reviews:,} / {soon_reviews:,}",
        f"Of {s.reviews.height:,} EHC plans, {overdue_reviews:,} annual reviews are past their "
        f"deadline and {soon_reviews:,} fall due within {s.school.policy.due_soon_days} days; "
        "invitations must go out two weeks before each meeting." + _annual_review_detail(s),
        overdue_reviews,
    )


def _utilisation_headline(s: LeadershipSummary) -> Headline:
    cap = s.capacity.summary
    term = s.year.current_term
    term_name = term.name if term else "this term"
    return Headline(
        "utilisation",
        "SENDCo time used by meetings: this term / rest of year",
        f"{_pct(cap['utilisation_this_term'])} / {_pct(cap['forecast_utilisation_rest_of_year'])}",
        f"Parent meetings, surgeries, annual reviews and their preparation and write-up took "
        f"{_pct(cap['utilisation_this_term'])} of the SENDCo's protected hours in {term_name}; "
        f"the meetings still owed this year would take "
        f"{_pct(cap['forecast_utilisation_rest_of_year'])} of the hours left "
        f"({cap['demand_hours_rest_of_year']:g} of {cap['supply_hours_rest_of_year']:g} hours).",
        cap["utilisation_this_term"],
    )


def _number(n: int) -> str:
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
    return words.get(n, f"{n}")


def _largest_without_meeting(s: LeadershipSummary) -> tuple[str, int] | None:
    """The year group with most pupils not yet met this term, if its count adds nothing hidden.

    That count is the group's "meeting still owed" and "not met this year" pupils and those
    of its "missed a term" pupils not met this term. It is told only where the report's
    table shows those three cells, and the missed-a-term pupils split into met and not met
    this term without a small count, so it reveals neither a hidden cell nor a small number.
    """
    without = s.coverage.filter(pl.col("no_meeting_this_term")).drop_nulls("year_group")
    if without.height == 0:
        return None
    sizes = (
        without.group_by("year_group").len().sort(["len", "year_group"], descending=[True, False])
    )
    group, number = sizes.row(0)
    table = s.breakdown("year_group")
    if any(table.count(group, c) is None for c in ("never_met", "missed_term", "due_this_term")):
        return None
    missed = s.coverage.filter(
        (pl.col("year_group") == group) & (pl.col("status") == "missed_term")
    )
    not_met = int(missed["no_meeting_this_term"].sum())
    t = s.threshold
    if number < t or suppressed(not_met, t) or suppressed(missed.height - not_met, t):
        return None
    return group, number


def _year_label(group: str) -> str:
    return (
        "Reception"
        if group == "R"
        else (f"Nursery {group[1]}" if group.startswith("N") else f"Year {group}")
    )


def _actions(s: LeadershipSummary) -> list[str]:
    """What to do next, each sentence derived from the figures and suppressed."""
    within = s.school.policy.acknowledge_within_school_days
    actions = []
    overdue = s.times.filter(pl.col("status") == "open_overdue")
    if overdue.height:
        oldest = overdue["received_on"].min()
        actions.append(
            f"Acknowledge the {_kinds(overdue)} open past their {within}-school-day deadline; "
            f"the oldest was received on {oldest:%d %B %Y}."
        )
    due_now = s.times.filter(pl.col("status") == "open_not_due")
    if due_now.height:
        fall = "request falls" if due_now.height == 1 else "requests fall"
        actions.append(
            f"{due_now.height:,} more {fall} due by {due_now['due_on'].max():%d %B %Y} "
            f"({_kinds(due_now)}): acknowledge {'it' if due_now.height == 1 else 'them'} this "
            "week to keep within the policy."
        )
    without = int(s.coverage["no_meeting_this_term"].sum())
    if s.year.current_term and without:
        sentence = (
            f"{without:,} registered pupils have had no parent meeting in "
            f"{s.year.current_term.name}"
        )
        group = _largest_without_meeting(s)
        if group:
            sentence += f"; {group[1]:,} are in {_year_label(group[0])}"
        actions.append(sentence + ". Offer each family a review before the term ends.")
    missed = s.coverage.filter(pl.col("status").is_in(["never_met", "missed_term"]))
    if missed.height:
        duty = "the three-a-year duty" if s.statutory else "the school's three-a-year policy"
        actions.append(
            f"{missed.height:,} registered pupils missed a whole term without a parent meeting "
            f"({int((missed['status'] == 'never_met').sum()):,} have not been met at all this "
            f"year): {duty} can only be met now by meeting them this term and next. "
            + _offered_in_words(missed)
        )
    behind = _furthest_behind(s)
    if behind:
        actions.append(behind)
    # Annual-review clocks are English law (DOMAIN.md, "Where these rules apply").
    if s.statutory:
        actions += _annual_review_actions(s)
    missing = s.records.filter(pl.col("record_status") == "missing")
    if missing.height:
        actions.append(
            f"Send the written record to parents for {missing.height:,} meetings still without "
            f"one after {s.school.policy.record_within_school_days} school days."
        )
    cap = s.capacity.summary
    rest = cap["forecast_utilisation_rest_of_year"]
    if rest is not None and rest > 0.9:
        actions.append(
            f"Plan SENDCo time: the meetings still owed this year need {cap['demand_hours_rest_of_year']:g} "
            f"hours against {cap['supply_hours_rest_of_year']:g} protected hours left ({_pct(rest)}); "
            "consider more reviews led by class teachers, another SENDCo day or shorter meetings."
        )
    if not actions:
        actions.append("No action needed: every duty in this report is being met.")
    return actions


def _reader_day(s: LeadershipSummary, day: dt.date) -> str:
    """A date for readers: one that is not a school day says so and gives the one before."""
    before = school_day_before(s.school.calendar, day)
    if before is None:
        return f"{day:%d %B %Y}"
    return f"{day:%A %d %B %Y} (not a school day: by {before:%A %d %B %Y})"


def _annual_review_detail(s: LeadershipSummary) -> str:
    """The headline's further sentences: data gaps, preparing for adulthood, transfers."""
    t, reviews = s.threshold, s.reviews
    parts = []
    gaps = int((reviews["status"] == "no_record").sum())
    if gaps:
        parts.append(
            f" {show_count(gaps, t)} EHC plans have no last review on record as of this date "
            "(a gap in the data, not a deadline met): add last_annual_review_on or the plan's "
            "start to the school's files."
        )
    adulthood = int(reviews["preparing_for_adulthood"].sum())
    if adulthood:
        parts.append(
            f" {show_count(adulthood, t)} of the reviews, for pupils in Year 9 and above, cover "
            "preparing for adulthood (Code of Practice 8.9)."
        )
    transfer = reviews.filter(pl.col("transfer_deadline_on").is_not_null())
    if transfer.height:
        first = transfer.sort("transfer_deadline_on").row(0, named=True)
        parts.append(
            f" {show_count(transfer.height, t)} pupils moving phase have the transfer deadline "
            f"{_reader_day(s, first['transfer_deadline_on'])}; their reviews should be held by "
            f"{_reader_day(s, first['hold_by'])}, so the local authority can decide and amend."
        )
    return "".join(parts)


def _annual_review_actions(s: LeadershipSummary) -> list[str]:
    """What to do about annual reviews: overdue, invitations, short notice, late reports."""
    a, t, reviews = s.year.as_of, s.threshold, s.reviews
    actions = []
    late_reviews = reviews.filter(pl.col("status") == "overdue")
    if late_reviews.height:
        actions.append(
            f"Hold the {late_reviews.height:,} overdue EHC plan annual reviews: with two weeks' "
            f"notice the earliest date is {_reader_day(s, a + dt.timedelta(days=14))}."
        )
    soon = reviews.filter((pl.col("status") == "due_soon") & pl.col("booked_on").is_null())
    if soon.height:
        first = soon["invite_by"].min()
        when = (
            f"the first invite-by date, {_reader_day(s, first)}, has passed"
            if first < a
            else f"the first must go out by {_reader_day(s, first)}"
        )
        actions.append(
            f"Send invitations for the {soon.height:,} annual reviews due in the next six weeks "
            f"and not yet booked; {when}."
        )
    short = reviews.filter(pl.col("short_notice"))
    if short.height:
        unrecorded = int(short["invited_on"].is_null().sum())
        actions.append(
            f"{show_count(short.height, t)} booked annual reviews are on short notice: their "
            "invite-by date (two weeks before the meeting) has passed, the earliest on "
            f"{_reader_day(s, short['invite_by'].min())}"
            + (
                f", and for {show_count(unrecorded, t)} the invitation date is not recorded"
                if unrecorded
                else ""
            )
            + "; check the invitations went out or move the meeting."
        )
    late_transfer = int(reviews["late_for_amendment"].sum())
    if late_transfer:
        actions.append(
            f"{show_count(late_transfer, t)} phase-transfer reviews were held after their hold-by "
            "date, too late for the local authority to amend the plan comfortably before the "
            "transfer deadline: tell the local authority now."
        )
    missing = int((s.reports["report_status"] == "report_missing").sum())
    if missing:
        actions.append(
            f"Send the review report for {show_count(missing, t)} annual reviews held more than "
            "two weeks ago (SEND Regulations 2014, reg. 20)."
        )
    return actions


def _kinds(requests: pl.DataFrame) -> str:
    """Requests counted by kind: meeting requests and requests for information apart."""
    return requests_in_words(
        int((requests["kind"] == "meeting").sum()), int((requests["kind"] == "information").sum())
    )


def _offered_in_words(missed: pl.DataFrame) -> str:
    """The terms missed, split into those the family did not attend and those with no offer."""
    terms = int(missed["terms_missed"].sum())
    offered = int(missed["terms_offered_not_held"].sum())
    rest = terms - offered
    missed_terms = "the term missed" if terms == 1 else f"the {terms:,} terms missed"
    return (
        f"Of {missed_terms}, {offered:,} {'was' if offered == 1 else 'were'} "
        '"offered, family did not attend" (a review was booked and the family did not come) '
        f'and {rest:,} had "no meeting offered".'
    )


def _furthest_behind(s: LeadershipSummary) -> str | None:
    """The year group furthest behind on track, among those whose share the table shows."""
    table = s.breakdown("year_group")
    whole = s.coverage["on_track"].mean() if s.coverage.height else None
    shares = [
        (share, str(g)) for g in table.groups if (share := table.share(g, ON_TRACK)) is not None
    ]
    if len(shares) < 2 or whole is None:
        return None
    share, group = min(shares)
    if share >= whole - 0.1:
        return None
    return (
        f"Of the year groups large enough to report, {_year_label(group)} is furthest behind: "
        f"{_pct(share)} of its {table.group_total(group):,} registered pupils are on track, "
        f"against {_pct(whole)} across the school."
    )


def coverage_table(s: LeadershipSummary, by: str) -> pl.DataFrame:
    """Coverage status counts by a group, suppressed, with reader labels, for the report.

    Headers and groups are in words ("Year group", "Year 4"). Small counts show as "<5" (the
    policy's threshold), counts hidden to protect them as ``WITHHELD``; a share shows only where :meth:`~sendlib.present.privacy.Table.share`
    allows it. The chart and the sentences use the same :meth:`LeadershipSummary.breakdown`.
    """
    table = s.breakdown(by)
    shares = [table.share_label(g, ON_TRACK) for g in table.groups]
    labels = table.labels().with_columns(
        pl.Series(by, [group_label(by, g) for g in table.groups], dtype=pl.String),
        pl.Series("on_track_share", shares),
    )
    headers = {by: GROUP_HEADERS[by], "pupils": "Pupils", "on_track_share": "On track (%)"}
    return labels.rename(COVERAGE_LABELS | headers)
