"""The week's agenda from the tiny school's schedule, read back from its HTML.

Hand-worked from tests/fixtures/tiny: the SENDCo works Mon, Wed, Thu, Fri; planned as of
Fri 6 Mar 2026 the coming week is Mon 9 to Sun 15 March, so the sections are Mon 9,
Wed 11, Thu 12 and Fri 13 March. The schedule for Spring 2026 (tests/planning/
test_scheduling.py) places P3's request meeting and P4's termly review on Mon 9 March,
and a surgery slot on Mon 9 and Thu 12 (the surgery weekday of the school's records).
"""

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import TINY, edit

from sendlib.cli import main
from sendlib.planning.scheduling import plan_term
from sendlib.present.agenda import (
    CONFIDENTIAL,
    agenda_html,
    default_week,
    refuse_non_agenda,
    write_agenda,
)
from sendlib.school.load import load_school
from sendlib.school.outputs import OutputPlaceError

AS_OF = dt.date(2026, 3, 6)
NOW = dt.datetime(2026, 11, 30, 9, 0)
HOSTILE = '<script>alert("x")</script> & Co'


class Sections(HTMLParser):
    """The text of each element of a class of interest, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {"h2": [], "head": [], "what": [], "confidential": []}
        self.scripts = 0
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        css = dict(attrs).get("class") or ""
        key = "h2" if tag == "h2" else next((c for c in css.split() if c in self.found), None)
        self._open.append((tag, key))
        if key:
            self.found[key].append("")

    def handle_endtag(self, tag):
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        for _, key in self._open:
            if key:
                self.found[key][-1] += data


def read_back(html: str) -> Sections:
    parser = Sections()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def tiny_plan():
    school = load_school(TINY)
    return school, plan_term(school, "Spring 2026", AS_OF, time_limit=5, now=NOW)


def test_the_coming_week_has_one_section_per_sendco_day_with_its_meetings(tiny_plan):
    school, schedule = tiny_plan
    assert default_week(schedule) == dt.date(2026, 3, 9)
    page = read_back(agenda_html(schedule, school, dt.date(2026, 3, 9)))
    assert page.found["h2"] == [
        "Monday 09 March 2026",
        "Wednesday 11 March 2026",
        "Thursday 12 March 2026",
        "Friday 13 March 2026",
    ]
    assert [h.replace("\u2013", "-") for h in page.found["head"]] == [
        "08:30-09:00 P3",
        "13:00-13:50 any family (drop-in)",
        "15:30-16:00 P4",
        "13:00-13:50 any family (drop-in)",
    ]
    assert page.found["what"][0] == (
        "meeting a parent asked for; lead: S1 (sendco); parent's meeting request"
    )
    assert (
        page.found["what"][2]
        == "termly review with parents; lead: T2 (class teacher); termly review owed"
    )
    # Marked at the top of the page and of every day (and at the foot of each printed page).
    assert page.found["confidential"] == [CONFIDENTIAL] * 5


def test_a_week_without_sendco_days_says_so(tiny_plan):
    school, schedule = tiny_plan
    # 6 to 12 April 2026 falls between Spring (ends 27 March) and Summer (starts 13 April).
    page = agenda_html(schedule, school, dt.date(2026, 4, 6))
    assert "No SENDCo days and no meetings in this week." in page
    assert read_back(page).found["h2"] == []


def test_names_and_school_text_are_escaped(school):
    pupils = school / "pupils.csv"
    lines = pupils.read_text("utf-8").splitlines()
    names = {"P3": HOSTILE, "P4": "Ann =SUM(A1)"}
    rows = [lines[0] + ",display_name"] + [
        f'{line},"{names.get(line.split(",")[0], "").replace(chr(34), 2 * chr(34))}"'
        for line in lines[1:]
    ]
    pupils.write_text("\n".join(rows) + "\n", "utf-8")
    edit(school, "school.toml", 'name = "Tiny Test School"', 'name = "Tiny <b>bold</b> School"')
    loaded = load_school(school)
    schedule = plan_term(loaded, "Spring 2026", AS_OF, time_limit=5, now=NOW)
    html = agenda_html(schedule, loaded, dt.date(2026, 3, 9))
    page = read_back(html)
    assert page.scripts == 0 and "<b>bold</b>" not in html
    assert page.found["head"][0].endswith(f"{HOSTILE} (P3)")
    assert page.found["head"][2].endswith("Ann =SUM(A1) (P4)")
    assert "Tiny &lt;b&gt;bold&lt;/b&gt; School: SENDCo agenda" in html


def test_write_agenda_replaces_an_agenda_but_never_another_file(tiny_plan, tmp_path):
    school, schedule = tiny_plan
    path = tmp_path / "agenda.html"
    assert write_agenda(schedule, school, path) == [path]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    refuse_non_agenda(path)  # last week's agenda may be replaced
    notes = tmp_path / "notes.html"
    notes.write_text("<p>my notes</p>", "utf-8")
    with pytest.raises(OutputPlaceError, match="not a sendlib agenda"):
        refuse_non_agenda(notes)
    with pytest.raises(OutputPlaceError, match="ending in .html"):
        refuse_non_agenda(tmp_path / "agenda.csv")
    (tmp_path / "agenda2.pdf").write_text("a spreadsheet, really", "utf-8")
    with pytest.raises(OutputPlaceError, match="agenda2.pdf exists"):
        refuse_non_agenda(tmp_path / "agenda2.html")


def test_schedule_command_writes_the_agenda_of_the_week_asked(tmp_path, capsys):
    agenda = tmp_path / "week.html"
    argv = ["schedule", str(TINY), "--term", "Spring 2026", "--as-of", "2026-03-06"]
    argv += ["--out", str(tmp_path / "out"), "--agenda", str(agenda), "--week", "2026-03-18"]
    assert main([*argv, "--time-limit", "5"]) == 0
    assert f"wrote {agenda}" in capsys.readouterr().out
    page = read_back(agenda.read_text("utf-8"))
    # Week of Mon 16 March: SENDCo days 16, 18, 19, 20; P2's provisional request on the 16th.
    assert page.found["h2"][0] == "Monday 16 March 2026" and len(page.found["h2"]) == 4
    assert "provisional: to agree with the family" in page.found["what"][0]


def test_schedule_refuses_to_write_the_agenda_over_another_file(tmp_path, capsys):
    notes = tmp_path / "notes.html"
    notes.write_text("<p>mine</p>", "utf-8")
    argv = ["schedule", str(TINY), "--term", "Spring 2026", "--out", str(tmp_path / "out")]
    assert main([*argv, "--agenda", str(notes)]) == 2
    assert "not a sendlib agenda" in capsys.readouterr().err
    assert notes.read_text("utf-8") == "<p>mine</p>"
    assert not (tmp_path / "out").exists()


def test_pdf_and_week_need_the_agenda(tmp_path, capsys):
    argv = ["schedule", str(TINY), "--term", "Spring 2026", "--out", str(tmp_path), "--pdf"]
    assert main(argv) == 2
    assert "--week and --pdf go with --agenda" in capsys.readouterr().err


def test_the_agenda_is_never_written_into_the_school_folder(school, capsys):
    argv = ["schedule", str(school), "--term", "Spring 2026", "--agenda", str(school / "a.html")]
    assert main(argv) == 2
    assert "would be written into the input folder" in capsys.readouterr().err
    assert not Path(school / "a.html").exists()
