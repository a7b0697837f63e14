"""The same figures as sendlib, written in pandas as an analyst would first write them.

Row-wise ``DataFrame.apply`` with the calendar's one-date-at-a-time methods
(``next_school_day``, ``add_school_days``, ``school_days_taken``), a loop over schools,
group-bys for the per-pupil and per-request lookups. It exists to be compared with:
``bench_la_scale.py`` checks that it gives the same numbers as sendlib's polars queries
and measures how much slower it is.
"""

from __future__ import annotations

import calendar as std_calendar
import datetime as dt

import pandas as pd

from sendlib.school.asof import school_year
from sendlib.school.calendar import WEEKDAYS
from sendlib.school.load import School

ROUTED_KINDS = ("safeguarding", "urgent_day_to_day")
ROUTED_RESPONSES = ("routed_safeguarding", "routed_class_teacher")
COUNTING_KINDS = ("review", "annual_review", "concern")


def tables(school: School) -> dict[str, pd.DataFrame]:
    """The school's tables as pandas frames with dates as ``datetime.date`` (as read)."""
    out = {}
    for name in ("pupils", "requests", "meetings", "plans"):
        frame = school.table(name).to_pandas()
        for column in frame.columns:
            if column.endswith("_on"):
                frame[column] = [None if pd.isna(v) else v.date() for v in frame[column]]
        if name == "meetings":
            frame["day"] = [v.date() for v in frame["starts_at"]]
        out[name] = frame
    return out


def _none(value):
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def response_times(school: School, as_of: dt.date, t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per request received by as_of: due date, school days taken, status."""
    cal, within = school.calendar, school.policy.acknowledge_within_school_days
    requests = t["requests"][t["requests"]["received_on"] <= as_of]
    meetings = t["meetings"]
    linked = meetings[meetings["request_id"].notna() & (meetings["day"] <= as_of)]
    first = linked.groupby("request_id")["day"].min()
    first_held = linked[linked["status"] == "held"].groupby("request_id")["day"].min()

    def one(row):
        ack = _none(row["acknowledged_on"])
        if ack is not None and ack > as_of:
            ack = None
        response = _none(row["response"]) if ack is not None else None
        effective = cal.next_school_day(row["received_on"])
        due = cal.add_school_days(row["received_on"], within)
        taken = cal.school_days_taken(row["received_on"], ack or as_of)
        if row["kind"] in ROUTED_KINDS or response in ROUTED_RESPONSES:
            status = "routed"
        elif ack is not None:
            status = "on_time" if taken <= within else "late"
        else:
            status = "open_overdue" if as_of > due else "open_not_due"
        term = cal.term_of(effective)
        meeting = first.get(row["request_id"])
        held = first_held.get(row["request_id"])
        to_meeting = None if meeting is None else _taken(cal, row["received_on"], meeting)
        to_held = None if held is None else _taken(cal, row["received_on"], held)
        return (
            row["request_id"],
            effective,
            due,
            ack,
            taken,
            status,
            term.name if term else None,
            meeting,
            to_meeting,
            held,
            to_held,
        )

    columns = [
        "request_id",
        "effective_on",
        "due_on",
        "acknowledged_on",
        "school_days_taken",
        "status",
        "term",
        "first_meeting_on",
        "school_days_to_meeting",
        "first_meeting_held_on",
        "school_days_to_meeting_held",
    ]
    if requests.empty:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(list(requests.apply(one, axis=1)), columns=columns)


def _taken(cal, received: dt.date, day: dt.date) -> int:
    """School days from the effective receipt day to ``day`` (0 if it is before)."""
    if day < received:
        return 0
    return cal.school_days_taken(received, day)


def review_coverage(school: School, as_of: dt.date, t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per registered pupil: meetings this year, terms missed, status, projection."""
    year = school_year(school, as_of)
    pupils = t["pupils"]
    meetings = t["meetings"]
    registered = pupils[
        pupils["sen_status"].isin(["K", "E"])
        & pupils["registered_on"].map(lambda d: d is not None and d <= as_of)
    ]
    counting = meetings[
        (meetings["status"] == "held")
        & meetings["kind"].isin(COUNTING_KINDS)
        & meetings["pupil_id"].notna()
        & meetings["day"].map(lambda d: year.start <= d <= as_of)
    ]
    days_of = counting.groupby("pupil_id")["day"].apply(list).to_dict()
    current = year.current_term
    year_days = school.calendar.school_days(year.start, year.end)
    elapsed_total = len([d for d in year_days if d <= as_of])
    remaining = len(year_days) - elapsed_total
    minimum = school.policy.min_parent_meetings_per_year

    def one(row):
        days = days_of.get(row["pupil_id"], [])
        completed = [t for t in year.completed_terms if row["registered_on"] <= t.start]
        missed = sum(1 for t in completed if not any(t.start <= d <= t.end for d in days))
        this_term = sum(1 for d in days if current and current.start <= d <= current.end)
        if not days and completed:
            status = "never_met"
        elif missed:
            status = "missed_term"
        elif current is not None and this_term == 0:
            status = "due_this_term"
        else:
            status = "done_this_term"
        since = max(row["registered_on"], year.start)
        elapsed = elapsed_total - len([d for d in year_days if d < since])
        projected = len(days) + len(days) / max(elapsed, 1) * remaining
        return (
            row["pupil_id"],
            len(completed),
            len(days),
            this_term,
            missed,
            max(days) if days else None,
            status,
            status in ("due_this_term", "done_this_term"),
            projected,
            projected >= minimum,
        )

    columns = [
        "pupil_id",
        "completed_terms",
        "meetings_this_year",
        "meetings_this_term",
        "terms_missed",
        "last_meeting_on",
        "status",
        "on_track",
        "projected_meetings",
        "projected_to_meet_minimum",
    ]
    frame = pd.DataFrame(list(registered.apply(one, axis=1)), columns=columns)
    frame["projected_meetings"] = frame["projected_meetings"].round(1)
    return frame


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, std_calendar.monthrange(year, month)[1]))


def _transfer_day(school: School, year_group: str, destination, spring: int):
    """The pupil's phase-transfer deadline this school year, or None (DOMAIN.md)."""
    config = school.config
    groups = {str(g) for g in config.transfer_year_groups}
    if year_group == "13" and (config.sixth_form or "13" in groups):
        return dt.date(spring, 3, 30)
    if year_group not in groups:
        return None
    if year_group != "11":
        return dt.date(spring, 2, 14)
    if config.sixth_form and destination == "own_sixth_form":
        return None
    return dt.date(spring, 3, 30)


def annual_reviews(school: School, as_of: dt.date, t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per EHC plan: last review, due date, deadline and status."""
    year = school_year(school, as_of)
    pupils, meetings, plans = t["pupils"], t["meetings"], t["plans"]
    reviews = meetings[meetings["kind"] == "annual_review"]
    held = reviews[(reviews["status"] == "held") & (reviews["day"] <= as_of)]
    held = held.groupby("pupil_id")["day"].max()
    later = reviews[(reviews["status"] != "cancelled") & (reviews["day"] > as_of)]
    booked = later.groupby("pupil_id")["day"].min()
    ehc = plans[plans["plan_type"].str.strip().str.lower().isin(["ehcp", "ehc plan"])]
    # astype(bool): a school without EHC plans maps to an empty object Series, which pandas
    # would take as a list of column names.
    current = ehc["starts_on"].map(lambda d: d <= as_of).astype(bool)
    starts = ehc[current].groupby("pupil_id")["starts_on"].max()
    e = pupils[
        (pupils["sen_status"] == "E")
        & pupils["registered_on"].map(lambda d: d is not None and d <= as_of)
    ]

    def one(row):
        recorded = row["last_annual_review_on"]
        recorded = recorded if recorded is not None and recorded <= as_of else None
        last = held.get(row["pupil_id"]) or recorded or starts.get(row["pupil_id"])
        if last is None:
            return row["pupil_id"], None, None, None, None, "no_record"
        born = _none(row.get("date_of_birth"))
        under_five = _add_months(born, 60) > as_of if born else row["year_group"] in ("N1", "N2")
        due = _add_months(last - dt.timedelta(days=1), 6 if under_five else 12)
        transfer = _transfer_day(
            school, row["year_group"], _none(row.get("post16_destination")), year.start.year + 1
        )
        transfer = transfer if transfer and last < year.start else None
        deadline = min(due, transfer) if transfer else due
        invite_by = (booked.get(row["pupil_id"]) or deadline) - dt.timedelta(days=14)
        days = (deadline - as_of).days
        if deadline < as_of:
            status = "overdue"
        elif days <= school.policy.due_soon_days:
            status = "due_soon"
        else:
            status = "ok"
        return row["pupil_id"], last, due, deadline, invite_by, status

    columns = ["pupil_id", "last_review_on", "due_on", "deadline_on", "invite_by", "status"]
    if e.empty:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(list(e.apply(one, axis=1)), columns=columns)


def capacity_summary(
    school: School, as_of: dt.date, t: dict[str, pd.DataFrame], coverage, reviews
) -> dict:
    """The capacity summary (no levers): utilisation, hours, the forward look."""
    year = school_year(school, as_of)
    cal, policy, sendco = school.calendar, school.policy, school.config.sendco
    meetings = t["meetings"]
    in_year = meetings["day"].map(lambda d: year.start <= d <= as_of)
    reviews_held = meetings[
        (meetings["kind"] == "review") & (meetings["status"] == "held") & in_year
    ]
    share = float(reviews_held["sendco_attended"].mean()) if len(reviews_held) else 0.5
    overhead = policy.preparation_minutes + policy.write_up_minutes
    working = [WEEKDAYS.index(d) for d in sendco.working_days]

    days = pd.DataFrame({"day": cal.school_days(year.start, year.end)})
    days["week"] = days["day"].map(lambda d: d - dt.timedelta(days=d.weekday()))
    days["term"] = days["day"].map(lambda d: next((x.name for x in year.terms if d in x), None))
    days["sendco_day"] = days["day"].map(lambda d: d.weekday() in working)
    days["forecast"] = days["day"] > as_of
    days["supply_minutes"] = days["sendco_day"].map(
        lambda s: sendco.send_hours_per_day * 60.0 if s else 0.0
    )

    def recorded(row):
        minutes = float(row["minutes"])
        if row["kind"] == "surgery":
            booked = pd.notna(row["pupil_id"]) and row["status"] == "held"
            extra = policy.write_up_minutes if booked else 0
        elif row["status"] == "held":
            extra = overhead
        else:
            extra = policy.preparation_minutes
        return (
            row["day"],
            0.0 if row["kind"] in ("annual_review", "surgery") else minutes,
            minutes if row["kind"] == "annual_review" else 0.0,
            float(extra),
        )

    attended = meetings[
        meetings["sendco_attended"] & meetings["status"].isin(["held", "did_not_attend"]) & in_year
    ]
    parts = ["day", "meetings", "annual_reviews", "preparation_and_records"]
    history = pd.DataFrame(
        list(attended.apply(recorded, axis=1)) if len(attended) else [], columns=parts
    )

    # The forward look.
    ahead = list(days.loc[days["forecast"] & days["sendco_day"], "day"])
    terms_left = sum(1 for x in year.terms if x.start > as_of)
    current = year.current_term
    owed = sum(
        max(
            max(
                policy.min_parent_meetings_per_year - r.meetings_this_year,
                terms_left + (int(r.meetings_this_term == 0) if current else 0),
            ),
            0,
        )
        for r in coverage.itertuples()
    )
    arising = meetings[
        meetings["sendco_attended"]
        & (meetings["status"] == "held")
        & (meetings["request_id"].notna() | (meetings["kind"] == "concern"))
        & (meetings["kind"] != "annual_review")
        & in_year
    ]
    elapsed = len(cal.school_days(year.start, as_of))
    if not elapsed or not len(arising):
        rate, request_minutes = 0.0, float(policy.meeting_minutes)
    else:
        rate, request_minutes = len(arising) / elapsed, float(arising["minutes"].mean())
    requests_expected = rate * int(days["forecast"].sum())
    reviews_sendco = owed * share
    to_hold = reviews[
        reviews["deadline_on"].map(lambda d: d is not None and d <= year.end).astype(bool)
    ]
    forecast = []
    if ahead:
        n = len(ahead)
        per_day = (
            reviews_sendco * float(policy.meeting_minutes) + requests_expected * request_minutes
        ) / n
        prep = (reviews_sendco + requests_expected) * overhead / n
        forecast += [(d, per_day, 0.0, prep) for d in ahead]
        earliest = as_of + dt.timedelta(days=14)
        placed = {}
        for deadline in to_hold["deadline_on"]:
            wanted = min(max(deadline, earliest), ahead[-1])
            day = next(d for d in ahead if d >= wanted)
            placed[day] = placed.get(day, 0) + 1
        forecast += [
            (d, 0.0, float(k) * policy.annual_review_minutes, float(k) * overhead)
            for d, k in placed.items()
        ]
    demand = pd.concat([history, pd.DataFrame(forecast, columns=parts)]).groupby("day").sum()
    daily = days.merge(demand, left_on="day", right_index=True, how="left").fillna(
        {c: 0.0 for c in parts[1:]}
    )
    weekly = policy.surgeries_per_week * policy.meetings_per_surgery * policy.surgery_minutes
    per_week = daily.groupby("week")["sendco_day"].transform("sum")
    daily["surgeries"] = [
        weekly / float(k) if s else 0.0 for s, k in zip(daily["sendco_day"], per_week, strict=True)
    ]
    daily["demand_minutes"] = (
        daily["meetings"]
        + daily["annual_reviews"]
        + daily["surgeries"]
        + daily["preparation_and_records"]
    )

    def ratio(frame):
        supply = frame["supply_minutes"].sum()
        return float(frame["demand_minutes"].sum() / supply) if supply else None

    rest = daily[daily["forecast"]]
    this_term = daily[~daily["forecast"] & (daily["term"] == (current.name if current else ""))]
    supply, demand_rest = rest["supply_minutes"].sum(), rest["demand_minutes"].sum()
    return {
        "utilisation_this_term": ratio(this_term),
        "utilisation_year_to_date": ratio(daily[~daily["forecast"]]),
        "forecast_utilisation_rest_of_year": ratio(rest),
        "supply_hours_rest_of_year": round(supply / 60, 1),
        "demand_hours_rest_of_year": round(demand_rest / 60, 1),
        "headroom_hours_rest_of_year": round((supply - demand_rest) / 60, 1),
        "sendco_review_share": round(share, 3),
        "observed_sendco_review_share": round(share, 3),
        "hours_per_day": sendco.send_hours_per_day,
        "surgeries_per_week": policy.surgeries_per_week,
        "reviews_owed": int(owed),
        "reviews_owed_sendco": round(reviews_sendco, 1),
        "annual_reviews_to_hold": len(to_hold),
        "request_meetings_expected": round(requests_expected, 1),
    }


def school_figures(school: School, as_of: dt.date, t: dict[str, pd.DataFrame]) -> dict:
    """All four figures for one school."""
    times = response_times(school, as_of, t)
    coverage = review_coverage(school, as_of, t)
    reviews = annual_reviews(school, as_of, t)
    return {
        "times": times,
        "coverage": coverage,
        "reviews": reviews,
        "capacity": capacity_summary(school, as_of, t, coverage, reviews),
    }
