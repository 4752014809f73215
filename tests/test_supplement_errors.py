"""A wrong supplement stops the build with PATH:LINE: and leaves the old database untouched."""

import sqlite3

import pytest

from conftest import ROOT, SOURCE, run_build
from helpers import assert_refused_cleanly, sha256

NAMES = ROOT / "source" / "korean-names.csv"
OVERRIDES = ROOT / "source" / "coordinate-overrides.csv"
TEXT = NAMES.read_text(encoding="utf-8")
LINES = TEXT.splitlines()
PYONGYANG = "city,Pyongyang,평양,平壤,P'yŏngyang,39.0194,125.7381,1871859,,"
# 0.9 degrees of latitude (100.1 km) due north of Pyongyang's GeoNames point (39.03385,
# 125.75432), still inside North Korea.
FAR_NORTH = PYONGYANG.replace("39.0194,125.7381", "39.9338,125.7543")
OVERRIDE = "Pyongyang,1871859,a cited disagreement,https://www.geonames.org/1871859\n"


def line_of(start):
    return next(n for n, line in enumerate(LINES, start=1) if line.startswith(start))


def build_with(tmp_path, db, names=TEXT, overrides=OVERRIDES.read_text(encoding="utf-8")):
    paths = tmp_path / "names.csv", tmp_path / "overrides.csv"
    for path, text in zip(paths, [names, overrides]):
        path.write_text(text, encoding="utf-8")
    return run_build(SOURCE, "--db", db, "--names", paths[0], "--overrides", paths[1]), paths


BROKEN = {  # name: ({old: new}, line, message)
    "point outside the country": (
        {"39.0194,125.7381": "37.5665,126.9780"}, line_of("city,Pyongyang,"),
        "point 37.5665, 126.978 is outside North Korea"),
    "point 100 km from its GeoNames place": (
        {PYONGYANG: FAR_NORTH}, line_of("city,Pyongyang,"),
        "is 100.1 km from GeoNames 'Pyongyang' (1871859), more than 15 km"),
    "a GeoNames place that lists the same Hancha, 92 km away": (
        {",1870883,": ",,", ",1876373,": ",1870883,"}, line_of("city,Kaesong,"),
        "is 91.8 km from GeoNames 'Sariwŏn-si' (1870883)"),
    "a GeoNames place with the same population, not the same name": (
        {"129.2000,,": "129.2000,2045220,"}, line_of("city,Kimchaek,"),
        "GeoNames 2045220 is 'Changam-ch’on', not 'Kimchaek'"),
    "GeoNames has the place but no id is recorded": (
        {",1871859,": ",,"}, line_of("city,Pyongyang,"),
        "GeoNames has 'Pyongyang' (1871859) 2.1 km away"),
    "two cities with one GeoNames id": (
        {",1870883,": ",1876373,"}, line_of("city,Sariwon,"),
        f"duplicate geonameid 1876373 (first on line {line_of('city,Kaesong,')})"),
    "Hancha one character short": (
        {"新義州": "新義"}, line_of("city,Sinuiju,"), "one character per syllable"),
    "MR with a decomposed breve": (
        {"P'yŏngyang,39": "P'yo\u0306ngyang,39"}, line_of("city,Pyongyang,"),
        "mr \"P'yo\u0306ngyang\" is not McCune-Reischauer"),
    "a Hancha character with another reading": (
        {"元山,Wŏnsan": "元川,Wŏnsan"}, line_of("city,Wonsan,"),
        "Hancha '川' of '元川' reads 천 in the hanja dictionary, not '산' of '원산'"),
    "MR without its breve": (
        {"元山,Wŏnsan": "元山,Wonsan"}, line_of("city,Wonsan,"),
        "MR 'Wonsan' is not 'wŏnsan', ko-pron's McCune-Reischauer of '원산'"),
    "ISO code not in pycountry": (
        {",KP-02,": ",KP-12,"}, line_of("division,South Pyongan,"),
        "KP-12 is not an ISO 3166-2:KP code in pycountry"),
    "ISO code of a city for a province": (
        {"namdo,,,,KP-02,": "namdo,,,,KP-14,", "Namp'o,,,,KP-14,": "Namp'o,,,,KP-02,"},
        line_of("division,South Pyongan,"),
        "KP-14 is a Metropolitan city in ISO 3166-2, but South Pyongan is a province"),
    "a province named differently from its city": (
        {"division,Nampo,남포": "division,Nampo,남부"}, line_of("division,Nampo,"),
        "province 'Nampo' is named differently from city 'Nampo'"),
    "a row for no city of the source": (
        {"city,Anju,": "city,Anjou,"}, line_of("city,Anju,"), "no city 'Anjou' in the source"),
    "no citation": (
        {"https://en.wikipedia.org/wiki/Wonsan": ""}, line_of("city,Wonsan,"),
        "a city row needs citation"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_supplement_fails_cleanly(tmp_path, fresh_db, name):
    replacements, line, message = BROKEN[name]
    text = TEXT
    for old, new in replacements.items():
        assert text.count(old) == 1
        text = text.replace(old, new)
    before = sha256(fresh_db)
    result, (names, _) = build_with(tmp_path, fresh_db, text)
    assert_refused_cleanly(result, names, line, message)
    assert sha256(fresh_db) == before
    assert list(fresh_db.parent.glob("*.tmp")) == []


def test_missing_row_names_the_source_line(tmp_path, fresh_db):
    anju = LINES[line_of("city,Anju,") - 1] + "\n"
    result, (names, _) = build_with(tmp_path, fresh_db, TEXT.replace(anju, ""))
    assert result.output == f"{SOURCE}:20: city 'Anju' has no row in {names}\n"


def test_a_cited_override_lets_a_real_disagreement_through(tmp_path):
    db = tmp_path / "out.db"
    header = OVERRIDES.read_text(encoding="utf-8").splitlines()[0] + "\n"
    result, _ = build_with(tmp_path, db, TEXT.replace(PYONGYANG, FAR_NORTH), header + OVERRIDE)
    assert result.exit_code == 0, result.output
    row = sqlite3.connect(db).execute(
        "SELECT latitude, geonameid, geonames_km FROM cities WHERE name = 'Pyongyang'").fetchone()
    assert row == (39.9338, 1871859, 100.1)


@pytest.mark.parametrize("override, message", [
    (OVERRIDE, "Pyongyang is within 15 km of GeoNames: nothing to override"),
    (OVERRIDE.replace("1871859,", "1871871,", 1), "no city 'Pyongyang' with geonameid 1871871"),
    (OVERRIDE.replace(",https://www.geonames.org/1871859", ","),
     "needs city, geonameid, reason and citation"),
])
def test_overrides_must_be_needed_and_cited(tmp_path, fresh_db, override, message):
    header = OVERRIDES.read_text(encoding="utf-8").splitlines()[0] + "\n"
    result, (_, overrides) = build_with(tmp_path, fresh_db, overrides=header + override)
    assert_refused_cleanly(result, overrides, 2, message)
