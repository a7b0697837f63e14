"""The synthetic school generator (sendlib.synth): determinism, validity, calibration."""

import csv
import datetime as dt
import time
from collections import Counter
from pathlib import Path

import pytest

from sendlib.school.calendar import SchoolCalendar
from sendlib.synth import (
    CLOSURES_2024_25,
    CLOSURES_2025_26,
    DEFAULT_AS_OF,
    TERMS_2024_25,
    TERMS_2025_26,
    generate_school,
    simulate_school,
    term_dates_2025_26,
)
from sendlib.synth.calibration import STAFF_HOURLY_COST

D = dt.date
ROOT = Path(__file__).resolve().parents[2]
# assessments.csv and register_changes.csv (issue 14) and the provision map (issue 15)
# joined the samples.
FILES = (
    "school.toml", "pupils.csv", "staff.csv", "requests.csv", "meetings.csv", "plans.csv",
    "assessments.csv", "register_changes.csv", "interventions.csv", "provisions.csv",
)  # fmt: skip
#: The committed samples and the documented arguments that regenerate them.
SAMPLES = {
    "harbourside-primary": dict(phase="primary", pupils=420, seed=2025, name="Harbourside Primary"),
    "northgate-secondary": dict(
        phase="secondary", pupils=1200, seed=2025, name="Northgate Academy"
    ),
}
SPRING_END = D(2026, 3, 27)


def read(folder: Path, table: str) -> list[dict[str, str]]:
    with open(folder / f"{table}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def calendar_of(folder: Path) -> SchoolCalendar:
    return SchoolCalendar.from_toml(folder / "school.toml")


@pytest.fixture(scope="module")
def primary(tmp_path_factory) -> Path:
    return generate_school(tmp_path_factory.mktemp("p") / "school", "primary", 420, seed=11)


@pytest.fixture(scope="module")
def secondary(tmp_path_factory) -> Path:
    return generate_school(tmp_path_factory.mktemp("s") / "school", "secondary", 1200, seed=11)


@pytest.fixture(params=["primary", "secondary"])
def school(request, primary, secondary) -> Path:
    return primary if request.param == "primary" else secondary


# ------------------------------------------------------------------ determinism


def test_same_arguments_write_byte_identical_files(tmp_path):
    a = generate_school(tmp_path / "a", "primary", 300, seed=5, as_of=D(2026, 2, 2))
    b = generate_school(tmp_path / "b", "primary", 300, seed=5, as_of=D(2026, 2, 2))
    assert sorted(p.name for p in a.iterdir()) == sorted(FILES)
    for name in FILES:
        data = (a / name).read_bytes()
        assert data == (b / name).read_bytes(), name
        assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")


def test_a_different_seed_gives_a_different_school(tmp_path):
    a = generate_school(tmp_path / "a", "secondary", 600, seed=1)
    b = generate_school(tmp_path / "b", "secondary", 600, seed=2)
    for name in ("pupils.csv", "requests.csv", "meetings.csv"):
        assert (a / name).read_bytes() != (b / name).read_bytes()


def test_generate_school_writes_into_out_dir_and_returns_it(tmp_path):
    out = tmp_path / "deep" / "my-school"
    assert generate_school(out, pupils=120) == out
    assert (out / "school.toml").is_file()
    assert 'name = "Harbourside Primary"' in (out / "school.toml").read_text()


def test_generator_is_fast():
    start = time.perf_counter()
    simulate_school("secondary", 1200, seed=3)
    assert time.perf_counter() - start < 3


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(phase="special"),
        dict(pupils=10),
        dict(as_of=D(2025, 7, 1)),
        dict(as_of=D(2026, 9, 10)),
    ],
)
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        simulate_school(**kwargs)


# ------------------------------------------------------------------ the calendar


def test_term_dates_are_2025_26_england_with_half_terms_and_inset_days(primary):
    terms, closures = term_dates_2025_26()
    assert [(t.start, t.end) for t in terms] == [
        (D(2025, 9, 3), D(2025, 12, 19)),
        (D(2026, 1, 5), D(2026, 3, 27)),
        (D(2026, 4, 13), D(2026, 7, 21)),
    ]
    assert any(c.start == c.end == D(2025, 11, 3) for c in closures)  # INSET Mon 3 Nov
    for closure in closures:
        assert any(t.start <= closure.start <= closure.end <= t.end for t in terms)
    # and the whole previous school year, 2024/25, with its INSET days and half terms
    assert [(t.start, t.end) for t in TERMS_2024_25] == [
        (D(2024, 9, 2), D(2024, 12, 20)),
        (D(2025, 1, 6), D(2025, 4, 4)),
        (D(2025, 4, 22), D(2025, 7, 23)),
    ]
    for closure in CLOSURES_2024_25:
        assert any(t.start <= closure.start <= closure.end <= t.end for t in TERMS_2024_25)
    cal = calendar_of(primary)
    assert cal.terms == TERMS_2024_25 + TERMS_2025_26
    assert cal.closures == CLOSURES_2024_25 + CLOSURES_2025_26
    assert not cal.is_school_day(D(2024, 9, 3)) and cal.is_school_day(D(2024, 9, 4))
    assert cal.sendco_working_days == ("mon", "wed", "thu", "fri")
    assert cal.add_school_days(D(2025, 10, 23), 5) == D(2025, 11, 7)  # DOMAIN.md example


def test_school_toml_has_only_documented_keys(school):
    import tomllib

    raw = tomllib.loads((school / "school.toml").read_text())
    assert set(raw) == {"school", "sendco", "policy", "terms", "closures"}
    assert set(raw["school"]) <= {"name", "phase", "transfer_year_group", "nation", "date_format"}
    assert set(raw["sendco"]) == {"working_days", "day_starts", "day_ends", "send_hours_per_day"}
    from sendlib.school.policy import POLICY_KEYS

    assert set(raw["policy"]) <= set(POLICY_KEYS)


# ------------------------------------------------------------------ calibration


@pytest.mark.parametrize("phase", ["primary", "secondary"])
def test_calibration_of_a_large_school(phase):
    school = simulate_school(phase, 2000, seed=7)
    roll = school.roll
    assert sum(roll.values()) == 2000
    assert 0.02 <= roll["E"] / 2000 <= 0.045
    assert 0.11 <= roll["K"] / 2000 <= 0.18
    assert 0.05 <= roll["M"] / 2000 <= 0.10
    pupils = school.tables["pupils"]
    sen = [p for p in pupils if p["sen_status"] in ("K", "E")]
    boys = sum(p["sex"] == "M" for p in sen) / len(sen)
    assert 0.55 <= boys <= 0.75
    ehc_boys = [p["sex"] == "M" for p in pupils if p["sen_status"] == "E"]
    support_boys = [p["sex"] == "M" for p in pupils if p["sen_status"] == "K"]
    assert sum(ehc_boys) / len(ehc_boys) > sum(support_boys) / len(support_boys) - 0.05
    ehc_needs = Counter(p["primary_need"] for p in pupils if p["sen_status"] == "E")
    support_needs = Counter(p["primary_need"] for p in pupils if p["sen_status"] == "K")
    assert ehc_needs.most_common(1)[0][0] == "ASD"
    assert support_needs.most_common(1)[0][0] in ("SLCN", "SEMH")
    fsm_sen = (school.fsm_roll["E"] + school.fsm_roll["K"]) / (roll["E"] + roll["K"])
    fsm_rest = school.fsm_roll["N"] / roll["N"]
    assert fsm_sen > fsm_rest
    assert 0.12 <= fsm_rest <= 0.35


def test_codes_and_required_cells(school):
    pupils = read(school, "pupils")
    staff = {s["staff_id"]: s["role"] for s in read(school, "staff")}
    assert list(staff.values()).count("sendco") == 1
    assert "class_teacher" in staff.values()
    ids = [p["pupil_id"] for p in pupils]
    assert len(ids) == len(set(ids)) and all(ids)
    needs = {"SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "DS"}
    needs |= {"OTH", "NSA"}
    for p in pupils:
        assert p["sen_status"] in ("K", "E", "M")
        assert p["lead_staff_id"] in staff
        assert p["sex"] in ("M", "F") and p["fsm"] in ("true", "false")
        if p["sen_status"] in ("K", "E"):
            assert p["primary_need"] in needs and p["registered_on"]
            assert D.fromisoformat(p["registered_on"]) <= DEFAULT_AS_OF
        assert bool(p["last_annual_review_on"]) == (p["sen_status"] == "E")


def test_monitored_pupils_and_mid_year_registrations(school):
    pupils = read(school, "pupils")
    assert sum(p["sen_status"] == "M" for p in pupils) >= 10
    autumn_start = TERMS_2025_26[0].start
    mid_year = [
        p
        for p in pupils
        if p["sen_status"] == "K" and D.fromisoformat(p["registered_on"]) > autumn_start
    ]
    assert len(mid_year) >= 3


# ------------------------------------------------------------------ requests


def test_requests_show_routing_lateness_and_open_ones(school):
    cal = calendar_of(school)
    pupils = {p["pupil_id"]: p for p in read(school, "pupils")}
    requests = read(school, "requests")
    registered = sum(p["sen_status"] in ("K", "E") for p in pupils.values())
    # 1.25 to 1.6 a registered pupil a year: six months of 2025/26, and the whole of
    # 2024/25 for the pupils on roll now (fewer were registered then)
    this_year = [r for r in requests if r["received_on"] >= "2025-08-01"]
    assert 0.5 <= len(this_year) / registered <= 1.3
    assert 0.8 <= (len(requests) - len(this_year)) / registered <= 1.6
    routed = [r for r in requests if r["kind"] in ("safeguarding", "urgent_day_to_day")]
    assert 0.03 <= len(routed) / len(requests) <= 0.10
    assert all(r["response"] in ("routed_safeguarding", "routed_class_teacher") for r in routed)
    taken, still_open = [], 0
    for r in requests:
        assert r["pupil_id"] in pupils
        received = D.fromisoformat(r["received_on"])
        assert D(2024, 8, 1) <= received <= DEFAULT_AS_OF
        if not r["acknowledged_on"]:
            assert not r["response"]
            still_open += 1
            continue
        acknowledged = D.fromisoformat(r["acknowledged_on"])
        assert received <= acknowledged <= DEFAULT_AS_OF
        if r not in routed:
            taken.append(cal.school_days_taken(received, acknowledged))
    assert still_open >= 1
    on_time = sum(t <= 5 for t in taken) / len(taken)
    assert 0.75 <= on_time < 1  # most on time, a realistic tail of late ones
    months = Counter(r["received_on"][:7] for r in requests)
    autumn = sum(months[m] for m in ("2025-09", "2025-10", "2025-11", "2025-12"))
    assert autumn > sum(months[m] for m in ("2026-01", "2026-02"))  # busier in autumn


# ------------------------------------------------------------------ meetings


def test_meetings_cover_every_kind_and_status(school):
    meetings = read(school, "meetings")
    assert {m["kind"] for m in meetings} == {
        "review",
        "annual_review",
        "concern",
        "surgery",
        "external_agency",
        "other",
    }
    assert {m["status"] for m in meetings} == {"held", "scheduled", "cancelled", "did_not_attend"}
    assert {m["mode"] for m in meetings} == {"in_person", "remote", "phone"}
    assert any(m["request_id"] for m in meetings)


def test_meetings_are_consistent_with_the_calendar_and_as_of(school):
    cal = calendar_of(school)
    import tomllib

    sendco = tomllib.loads((school / "school.toml").read_text())["sendco"]
    opens, closes = sendco["day_starts"], sendco["day_ends"]
    staff = {s["staff_id"]: s["role"] for s in read(school, "staff")}
    pupils = {p["pupil_id"] for p in read(school, "pupils")}
    requests = {r["request_id"] for r in read(school, "requests")}
    lengths = Counter()
    for m in read(school, "meetings"):
        starts = dt.datetime.strptime(m["starts_at"], "%Y-%m-%d %H:%M")
        day, minutes = starts.date(), int(m["minutes"])
        assert m["pupil_id"] in pupils and m["lead_staff_id"] in staff
        assert not m["request_id"] or m["request_id"] in requests
        assert cal.is_school_day(day)
        assert (m["status"] == "scheduled") == (day > DEFAULT_AS_OF)
        assert day <= SPRING_END
        if m["sendco_attended"] == "true":
            end = (starts + dt.timedelta(minutes=minutes)).strftime("%H:%M")
            assert cal.is_sendco_day(day)
            assert opens <= m["starts_at"][11:] and end <= closes
        else:
            assert "15:30" <= m["starts_at"][11:] <= "16:30" or staff[m["lead_staff_id"]] in (
                "assistant_sendco",
            )
        if m["record_sent_on"]:
            assert m["status"] == "held"
            assert day <= D.fromisoformat(m["record_sent_on"]) <= DEFAULT_AS_OF
        lengths[(m["kind"], minutes)] += 1
    assert {k for k, n in lengths if k == "annual_review" and n == 60}
    assert all(n in (20, 25) for k, n in lengths if k == "surgery")
    reviews = [(k, n) for k, n in lengths if k == "review"]
    assert lengths[("review", 30)] > sum(lengths[r] for r in reviews) / 2


def test_reviews_led_by_teachers_with_the_sendco_at_some(school):
    reviews = [m for m in read(school, "meetings") if m["kind"] == "review"]
    share = sum(m["sendco_attended"] == "true" for m in reviews) / len(reviews)
    assert 0.25 <= share <= 0.6


def test_records_mostly_sent_some_late_or_missing(school):
    cal = calendar_of(school)
    held = [
        m
        for m in read(school, "meetings")
        if m["status"] == "held" and m["kind"] in ("review", "concern", "annual_review")
    ]
    sent = [m for m in held if m["record_sent_on"]]
    assert 0.65 <= len(sent) / len(held) < 0.97
    late = [
        m
        for m in sent
        if cal.school_days_taken(
            D.fromisoformat(m["starts_at"][:10]), D.fromisoformat(m["record_sent_on"])
        )
        > 5
    ]
    assert late


def test_one_year_group_is_behind_on_autumn_reviews(school):
    phase_behind = "4" if "primary" in (school / "school.toml").read_text() else "8"
    pupils = {p["pupil_id"]: p for p in read(school, "pupils") if p["sen_status"] in ("K", "E")}
    autumn = TERMS_2025_26[0]
    met = {
        m["pupil_id"]
        for m in read(school, "meetings")
        if m["status"] == "held"
        and m["kind"] in ("review", "annual_review", "concern")
        and autumn.start <= D.fromisoformat(m["starts_at"][:10]) <= autumn.end
    }
    eligible = [p for p in pupils.values() if D.fromisoformat(p["registered_on"]) <= autumn.start]
    by_year: dict[str, list[bool]] = {}
    for p in eligible:
        by_year.setdefault(p["year_group"], []).append(p["pupil_id"] in met)
    rate = {y: sum(v) / len(v) for y, v in by_year.items() if len(v) >= 5}
    others = [r for y, r in rate.items() if y != phase_behind]
    assert rate[phase_behind] <= 0.8 < sum(others) / len(others)
    assert rate[phase_behind] < sum(others) / len(others) - 0.1


# ------------------------------------------------------------------ annual reviews and plans


def test_annual_reviews_include_overdue_and_transfer_pupils(school):
    pupils = [p for p in read(school, "pupils") if p["sen_status"] == "E"]
    primary = "primary" in (school / "school.toml").read_text()
    transfer = "6" if primary else "11"
    transfer_deadline = D(2026, 2, 15) if primary else D(2026, 3, 31)
    overdue = []
    for p in pupils:
        last = D.fromisoformat(p["last_annual_review_on"])
        deadline = last.replace(year=last.year + 1)  # DOMAIN.md: 12 months on
        if p["year_group"] == transfer and last < TERMS_2025_26[0].start:
            deadline = min(deadline, transfer_deadline)
        if deadline < DEFAULT_AS_OF:
            overdue.append(p)
    assert overdue
    assert any(p["year_group"] == transfer for p in pupils)
    held = {
        m["pupil_id"]: m["starts_at"][:10]
        for m in read(school, "meetings")
        if m["kind"] == "annual_review" and m["status"] == "held"
    }
    for p in pupils:
        if p["pupil_id"] in held:
            assert p["last_annual_review_on"] >= held[p["pupil_id"]]


def test_plans_run_in_apdr_cycles_with_outcomes(school):
    pupils = {p["pupil_id"]: p for p in read(school, "pupils")}
    plans = read(school, "plans")
    assert {p["plan_type"] for p in plans} >= {"EHCP"}
    outcomes = Counter(p["outcome"] for p in plans if p["outcome"])
    assert set(outcomes) == {"progress", "some_progress", "no_progress", "met"}
    for plan in plans:
        assert plan["pupil_id"] in pupils
        assert plan["starts_on"] <= plan["review_due_on"]
        assert bool(plan["outcome"]) == bool(plan["reviewed_on"])
        if plan["reviewed_on"]:
            assert plan["starts_on"] <= plan["reviewed_on"] <= DEFAULT_AS_OF.isoformat()
    ehc = {p for p, row in pupils.items() if row["sen_status"] == "E"}
    assert ehc <= {p["pupil_id"] for p in plans if p["plan_type"] == "EHCP"}


# ------------------------------------------------------------------ loading


load = pytest.importorskip("sendlib.school.load")


@pytest.mark.parametrize(
    "as_of",
    [D(2025, 10, 1), D(2025, 12, 22), D(2026, 4, 1), D(2026, 6, 30), D(2026, 8, 20)],
)
def test_other_as_of_dates_load_without_problems(tmp_path, as_of):
    folder = generate_school(tmp_path / "s", "secondary", 400, seed=4, as_of=as_of)
    school = load.load_school(folder)
    assert school.meetings.height and school.requests.height
    assert school.requests["received_on"].max() <= as_of
    held = school.meetings.filter(school.meetings["status"] != "scheduled")
    assert held["starts_at"].dt.date().max() <= as_of


@pytest.mark.parametrize("folder", sorted(SAMPLES))
def test_committed_samples_load_and_regenerate_byte_for_byte(tmp_path, folder):
    committed = ROOT / "data_samples" / folder
    school = load.load_school(committed)  # raises DataValidationError listing any problem
    assert school.name == SAMPLES[folder]["name"]
    regenerated = generate_school(tmp_path / folder, **SAMPLES[folder])
    for name in FILES:
        assert (regenerated / name).read_bytes() == (committed / name).read_bytes(), name


def test_generated_schools_load_without_problems(primary, secondary):
    for folder in (primary, secondary):
        school = load.load_school(folder)
        assert school.pupils.height == len(read(folder, "pupils"))


def test_provision_covers_every_kind_with_measures_and_costs(school):
    loaded = load.load_school(school)
    kinds = set(loaded.interventions["kind"])
    assert kinds == {"small_group", "one_to_one", "in_class", "external_specialist", "resource"}
    assert set(loaded.interventions["hourly_cost"].drop_nulls()) <= set(STAFF_HOURLY_COST.values())
    provisions = loaded.provisions
    # Exit measures only for blocks that ended by the as-of date, never after it.
    measured = provisions.filter(provisions["exit_measure"].is_not_null())
    assert measured.height and (measured["ends_on"] <= DEFAULT_AS_OF).all()
    assert (provisions["starts_on"] <= DEFAULT_AS_OF).all()
    ehc = loaded.pupils.filter(loaded.pupils["sen_status"] == "E")["pupil_id"]
    one_to_one = provisions.filter(provisions["intervention_id"] == "ONE")["pupil_id"]
    assert set(one_to_one) <= set(ehc) and one_to_one.n_unique() >= 0.6 * ehc.len()


def test_the_hourly_costs_follow_the_published_figures():
    # Teacher: 38,000 + NI 15% above 5,000 + TPS 28.68%, over 1,265 hours.
    assert STAFF_HOURLY_COST["teacher"] == pytest.approx(
        (38_000 + 0.15 * 33_000 + 0.2868 * 38_000) / 1265, abs=0.01
    )
    assert STAFF_HOURLY_COST["educational_psychologist"] == 131.0
