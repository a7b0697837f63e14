"""Annual reviews of EHC plans, worked by hand (DOMAIN.md "Statuses").

Tiny school (tests/fixtures/tiny): Autumn 2025 Wed 3 Sep - Fri 19 Dec, Spring 2026 Mon 5 Jan -
Fri 27 Mar, Summer 2026 Mon 13 Apr - Tue 21 Jul; a primary (transfer year group 6). P3 has an
EHC plan, is in Year 6 and had its last annual review (M4) on Mon 10 Mar 2025, in the last
school year.

A plan is due 12 calendar months after its last review, or by the phase-transfer deadline if
earlier (15 February; 31 March for Year 11, Code of Practice 9.179); invitations go out 14
days before the deadline (SEND Regulations 2014, reg. 20). Status: overdue (deadline before
as of), due_soon (within 42 days), ok.
"""

import datetime as dt
import shutil
from pathlib import Path

import pytest

import sendlib
from sendlib import CalendarRangeError
from sendlib.rules.annual_reviews import ANNUAL_REVIEW_STATUSES, annual_reviews

D = dt.date
TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
SCHOOL = sendlib.load_school(TINY)
AS_OF = D(2026, 3, 6)  # Fri 6 Mar 2026, Spring term


def school_with(
    tmp_path: Path, *, pupils: str = "", meetings: str = "", toml: tuple[str, str] | None = None
) -> sendlib.School:
    """The tiny school copied to tmp_path, extra CSV rows appended, school.toml edited."""
    folder = tmp_path / "school"
    shutil.copytree(TINY, folder)
    for name, rows in (("pupils", pupils), ("meetings", meetings)):
        if rows:
            with (folder / f"{name}.csv").open("a", encoding="utf-8") as handle:
                handle.write(rows)
    if toml:
        path = folder / "school.toml"
        text = path.read_text(encoding="utf-8")
        assert toml[0] in text
        path.write_text(text.replace(*toml), encoding="utf-8")
    return sendlib.load_school(folder)


def annual(school, as_of) -> dict[str, dict]:
    return {r["pupil_id"]: r for r in annual_reviews(school, as_of).iter_rows(named=True)}


def test_annual_review_transfer_deadline_for_year_6_in_a_primary():
    # P3: EHC plan, Year 6 in a primary (transfer year group 6); last review Mon 10 Mar 2025,
    # before this school year began -> due Tue 10 Mar 2026 (12 months), transfer deadline
    # 15 Feb 2026 (Code of Practice 9.179); deadline = the earlier = 15 Feb; invite by
    # 14 days before = Sun 1 Feb 2026.
    got = annual(SCHOOL, AS_OF)["P3"]
    assert got["last_review_on"] == D(2025, 3, 10)
    assert got["due_on"] == D(2026, 3, 10)
    assert got["transfer_deadline_on"] == D(2026, 2, 15)
    assert got["deadline_on"] == D(2026, 2, 15)
    assert got["invite_by"] == D(2026, 2, 1)


@pytest.mark.parametrize(
    ("as_of", "days", "status"),
    [
        (D(2026, 1, 3), 43, "ok"),  # Sat 3 Jan -> 15 Feb: 28 + 15 = 43 days, beyond 42
        (D(2026, 1, 4), 42, "due_soon"),  # within 42 days
        (D(2026, 2, 15), 0, "due_soon"),  # the deadline itself is not yet overdue
        (D(2026, 2, 16), -1, "overdue"),  # deadline before as of
    ],
)
def test_annual_review_status_either_side_of_the_deadline(as_of, days, status):
    got = annual(SCHOOL, as_of)["P3"]
    assert (got["days_to_deadline"], got["status"]) == (days, status)


def test_annual_review_held_this_year_replaces_the_transfer_deadline(tmp_path):
    # An annual review for P3 held Mon 12 Jan 2026. As of Fri 9 Jan it has not happened:
    # still the 15 Feb transfer deadline (37 days -> due_soon). As of 12 Jan the last review
    # is this school year's: no transfer deadline; due and deadline Tue 12 Jan 2027 -> ok.
    school = school_with(
        tmp_path,
        meetings="M8,P3,annual_review,2026-01-12 10:00,60,S1,true,in_person,held,2026-01-19,\n",
    )
    before = annual(school, D(2026, 1, 9))["P3"]
    assert (before["deadline_on"], before["status"]) == (D(2026, 2, 15), "due_soon")
    after = annual(school, D(2026, 1, 12))["P3"]
    assert after["last_review_on"] == D(2026, 1, 12)
    assert after["transfer_deadline_on"] is None
    assert (after["due_on"], after["deadline_on"]) == (D(2027, 1, 12), D(2027, 1, 12))
    assert after["invite_by"] == D(2026, 12, 29)
    assert after["status"] == "ok"


def test_annual_reviews_in_a_secondary_school(tmp_path):
    school = school_with(
        tmp_path,
        toml=('phase = "primary"', 'phase = "secondary"'),
        pupils=(
            "P6,11,E,ASD,T1,2020-01-01,2025-06-20,F,false\n"
            "P7,4,E,HI,T2,2020-01-01,2024-02-29,M,false\n"
            "P8,11,E,SLCN,T2,2020-01-01,2025-10-15,M,false\n"
        ),
    )
    got = annual(school, AS_OF)
    # P6: Year 11 in a secondary (transfer year 11); last review Fri 20 Jun 2025, before this
    # school year -> due 20 Jun 2026, transfer deadline 31 Mar 2026 -> deadline 31 Mar,
    # invite by Tue 17 Mar; 25 days from 6 Mar -> due_soon.
    p6 = got["P6"]
    assert (p6["due_on"], p6["transfer_deadline_on"], p6["deadline_on"], p6["invite_by"]) == (
        D(2026, 6, 20),
        D(2026, 3, 31),
        D(2026, 3, 31),
        D(2026, 3, 17),
    )
    assert (p6["days_to_deadline"], p6["status"]) == (25, "due_soon")
    # P3 (Year 6) is not in a secondary's transfer year: deadline = due Tue 10 Mar 2026,
    # invite by Tue 24 Feb; 4 days away -> due_soon.
    p3 = got["P3"]
    assert p3["transfer_deadline_on"] is None
    assert (p3["deadline_on"], p3["invite_by"], p3["status"]) == (
        D(2026, 3, 10),
        D(2026, 2, 24),
        "due_soon",
    )
    # P7: last review 29 Feb 2024 -> due 28 Feb 2025 (29 February becomes 28 February);
    # long overdue (371 days).
    p7 = got["P7"]
    assert (p7["due_on"], p7["deadline_on"], p7["days_to_deadline"], p7["status"]) == (
        D(2025, 2, 28),
        D(2025, 2, 28),
        -371,
        "overdue",
    )
    # P8: Year 11 but last reviewed Wed 15 Oct 2025, inside this school year: no transfer
    # deadline; due 15 Oct 2026, 223 days away -> ok.
    p8 = got["P8"]
    assert (p8["transfer_deadline_on"], p8["deadline_on"], p8["status"]) == (
        None,
        D(2026, 10, 15),
        "ok",
    )
    assert set(annual_reviews(school, AS_OF)["status"]) <= set(ANNUAL_REVIEW_STATUSES)


def test_transfer_year_group_override(tmp_path):
    # [school] transfer_year_group = 2 (an infant school): Year 6 P3 has no transfer deadline;
    # a Year 2 pupil last reviewed in the previous school year has 15 Feb 2026.
    school = school_with(
        tmp_path,
        toml=('phase = "primary"', 'phase = "primary"\ntransfer_year_group = 2'),
        pupils="P6,2,E,DS,T1,2024-06-01,2025-05-01,F,false\n",
    )
    got = annual(school, AS_OF)
    assert got["P3"]["transfer_deadline_on"] is None
    assert got["P3"]["deadline_on"] == D(2026, 3, 10)
    # P6: due Fri 1 May 2026; transfer 15 Feb 2026 is earlier -> overdue as of 6 Mar.
    assert (got["P6"]["due_on"], got["P6"]["deadline_on"], got["P6"]["status"]) == (
        D(2026, 5, 1),
        D(2026, 2, 15),
        "overdue",
    )


def test_annual_reviews_after_the_calendar_are_an_error():
    with pytest.raises(CalendarRangeError, match=r"\[\[terms\]\]"):
        annual_reviews(SCHOOL, D(2026, 7, 22))
