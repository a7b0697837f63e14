"""``sendlib import`` with mistakes: every one reported at once, nothing written or overwritten."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import TINY

from sendlib.cli import main
from sendlib.school.errors import DataValidationError
from sendlib.school.mis_folder import STARTER_NOTE
from sendlib.school.mis_import import _code, _converter
from sendlib.school.mis_mapping import TableMapping, read_mapping
from sendlib.school.mis_templates import TEMPLATES
from sendlib.school.schema import TABLES

#: The tiny school's own files need no columns mapped: same names, ISO dates.
IDENTITY = "\n".join(
    f'[tables.{t}]\nfile = "{t}.csv"' for t in ("staff", "pupils", "requests", "meetings", "plans")
)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def tiny_export(tmp_path: Path, mapping: str = IDENTITY) -> tuple[Path, list[Path]]:
    folder = tmp_path / "export"
    shutil.copytree(TINY, folder)
    (folder / "school.toml").unlink()
    (folder / "mapping.toml").write_text(mapping)
    return folder / "mapping.toml", sorted(folder.glob("*.csv"))


def test_a_starter_school_toml_is_written_and_said(tmp_path, capsys):
    mapping, exports = tiny_export(tmp_path, '[school]\nname = "Tiny"\n' + IDENTITY)
    code, out, err = run(capsys, "import", "--mapping", mapping, *exports, tmp_path / "new")
    assert code == 0, err
    assert "Tiny (primary): valid." in out
    assert STARTER_NOTE in err
    toml = (tmp_path / "new" / "school.toml").read_text()
    # 2025-26 as typical English dates: Easter 2026 is 5 April (DOMAIN: check them).
    assert 'name = "Spring 2026"\nstart = 2026-01-05\nend = 2026-03-27' in toml
    assert 'name = "Summer 2026"\nstart = 2026-04-13\nend = 2026-07-21' in toml


def test_every_unmapped_header_and_unknown_value_at_once(tmp_path, capsys):
    mapping, exports = tiny_export(tmp_path)
    pupils = mapping.parent / "pupils.csv"
    lines = pupils.read_text().splitlines()
    header = lines[0].split(",")
    status = header.index("sen_status")
    rows = [line.split(",") for line in lines[1:]]
    for number in (0, 2):  # rows 2 and 4 of the spreadsheet
        rows[number][status] = "SEN Support"
    rows[1][status] = "Statement"
    pupils.write_text(
        "\n".join(
            ",".join(r) for r in [[*header, "Tutor", "House"], *[[*r, "3B", "Red"] for r in rows]]
        )
        + "\n"
    )
    target = tmp_path / "new"
    code, _, err = run(capsys, "import", "--mapping", mapping, *exports, target)
    assert code == 1
    assert "Nothing written. 4 problem(s) found" in err
    assert "pupils.csv row 1, Tutor: 'Tutor': expected a sendlib column for it" in err
    assert "pupils.csv row 1, House: 'House'" in err
    assert "pupils.csv row 2, sen_status: 'SEN Support': expected one of K, E, M" in err
    assert "(also row 4)" in err
    assert "[tables.pupils.values.sen_status]" in err
    assert "pupils.csv row 3, sen_status: 'Statement'" in err
    assert "Traceback" not in err
    assert not target.exists()


def test_a_missing_header_and_a_day_first_date_in_an_iso_mapping(tmp_path):
    mapping, exports = tiny_export(
        tmp_path,
        IDENTITY.replace(
            "[tables.plans]",
            '[tables.requests.columns]\nreceived_on = "Received"\n\n[tables.plans]',
        ),
    )
    requests = mapping.parent / "requests.csv"
    requests.write_text(requests.read_text().replace("2025-", "XX-", 1))
    with pytest.raises(DataValidationError) as raised:
        from sendlib.school.mis_folder import import_folder

        import_folder(mapping, exports, tmp_path / "new")
    said = [str(p) for p in raised.value.problems]
    assert any("a column headed 'Received' for requests.received_on" in s for s in said), said
    assert any("received_on: 'received_on'" in s for s in said), said  # now unmapped


def test_a_non_empty_folder_is_refused_and_force_writes(tmp_path, capsys):
    mapping, exports = tiny_export(tmp_path)
    target = tmp_path / "full"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    code, _, err = run(capsys, "import", "--mapping", mapping, *exports, target)
    assert code == 2
    assert "is not empty" in err and "--force" in err
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_an_input_is_never_overwritten(tmp_path, capsys):
    mapping, exports = tiny_export(tmp_path)
    before = {p: p.read_bytes() for p in exports}
    code, _, err = run(capsys, "import", "--mapping", mapping, *exports, mapping.parent, "--force")
    assert code == 2
    assert "would be written into the input file" in err
    assert {p: p.read_bytes() for p in exports} == before


def test_a_cp1252_export_and_a_semicolon_export_are_named(tmp_path, capsys):
    mapping, exports = tiny_export(tmp_path)
    staff = mapping.parent / "staff.csv"
    staff.write_bytes((staff.read_text() + "CAF\u00c9,other\n").encode("cp1252"))
    plans = mapping.parent / "plans.csv"
    plans.write_text(plans.read_text().replace(",", ";"))
    code, _, err = run(capsys, "import", "--mapping", mapping, *exports, tmp_path / "new")
    assert code == 1
    assert "staff.csv is not UTF-8 (it looks like Windows-1252" in err
    assert "plans.csv is separated by semicolons, not commas" in err


def test_unknown_mapping_keys_are_all_rejected(tmp_path):
    path = tmp_path / "mapping.toml"
    path.write_text(
        'date_fromat = "dd/mm/yyyy"\n[tables.pupil]\nfile = "x.csv"\n'
        '[tables.staff]\nfile = "s.csv"\nfiel = "y"\n[tables.staff.columns]\nstaf_id = "ID"\n'
        '[tables.staff.values.role]\nTeacher = "teacher"\n'
    )
    with pytest.raises(DataValidationError) as raised:
        read_mapping(path)
    said = "\n".join(str(p) for p in raised.value.problems)
    assert "did you mean date_format?" in said
    assert "[tables.pupil]: 'pupil': expected one of" in said and "did you mean pupils?" in said
    assert "tables.staff.fiel" in said and "did you mean file?" in said
    assert "did you mean staff_id?" in said
    assert "tables.staff.values.role.Teacher: 'teacher': expected one of sendco" in said
    assert len(raised.value.problems) == 5


@pytest.mark.parametrize(
    ("column", "cell", "code"),
    [
        ("year_group", "Year 7", "7"),
        ("year_group", "Y10", "10"),
        ("year_group", "Reception", "R"),
        ("primary_need", "asd", "ASD"),
        ("sen_status", "E", "E"),
        ("sen_status", "Statement", None),
    ],
)
def test_codes_match_without_case_or_a_year_prefix(column, cell, code):
    found = next(c for c in TABLES["pupils"].columns if c.name == column)
    assert _code(cell, found) == code


def test_a_workbook_date_cell_and_a_day_first_time():
    rules = TableMapping("meetings", "m.xlsx", date_format="dd/mm/yyyy")
    starts = next(c for c in TABLES["meetings"].columns if c.name == "starts_at")
    convert = _converter(starts, rules, workbook=True, folder_date_format="iso")
    assert convert("03/09/2025 14:05") == "2025-09-03 14:05"
    assert convert("2025-09-03 14:05:00") == "2025-09-03 14:05"  # a real Excel date-time
    assert convert("09/31/2025 14:05") is None


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_are_marked_and_read(name, tmp_path, capsys):
    code, out, _ = run(capsys, "import", "--template", name, tmp_path / "m.toml")
    assert code == 0 and "wrote" in out
    text = (tmp_path / "m.toml").read_text()
    assert text.startswith("# TEMPLATE: check every column name against your own export")
    assert "plausible examples" in text
    mapping = read_mapping(tmp_path / "m.toml")
    assert set(mapping.tables) == {"pupils", "staff", "requests", "meetings", "plans"}
    assert mapping.tables["pupils"].values["sen_status"]["sen support"] == "K"
    assert run(capsys, "import", "--template", name, tmp_path / "m.toml")[0] == 2


def test_the_readme_mapping_reads(tmp_path):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### From your MIS", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "mapping.toml").write_text(example)
    mapping = read_mapping(tmp_path / "mapping.toml")
    assert mapping.tables["meetings"].columns["starts_at"] == ("Meeting Date", "Start Time")
    assert mapping.tables["meetings"].defaults == {"sendco_attended": "false"}
    assert mapping.tables["pupils"].values["sen_status"]["ehc plan"] == "E"
