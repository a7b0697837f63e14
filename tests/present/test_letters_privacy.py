"""Parents' names and addresses in contacts.csv never reach the leadership report."""

import shutil

from conftest import TINY

from sendlib.present.runner import render_leadership_report

CONTACT = ("Zebedee Quixotic-Marchbanks", "77 Unlikelyname Road", "Qwertyford", "ZZ9 9ZZ")


def test_contacts_never_reach_the_leadership_report(tmp_path):
    school = shutil.copytree(TINY, tmp_path / "tiny")
    (school / "contacts.csv").write_text(
        "pupil_id,addressee,salutation,address_line_1,town,postcode\n"
        f"P3,{CONTACT[0]},,{CONTACT[1]},{CONTACT[2]},{CONTACT[3]}\n",
        encoding="utf-8",
    )
    html = render_leadership_report(school, "2026-03-06", tmp_path / "out", progress=False)
    rendered = [p for p in html.parent.iterdir() if p.is_file()]
    assert {p.suffix for p in rendered} >= {".html", ".ipynb"}
    for path in rendered:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert "Tiny Test School" in text or path.suffix != ".html"
        for value in (*CONTACT, "Quixotic", "Unlikelyname"):
            assert value not in text, f"{value!r} in {path.name}"
