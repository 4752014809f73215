"""The reconciliation API as OpenRefine uses it, against the real server: the manifest by GET
(JSON and JSONP), queries as a form-encoded POST of `queries=` in batches of 10; every manifest,
query and response validated against the Reconciliation API 0.2 schemas (tests/reconciliation-api).
"""

import json
from pathlib import Path

import httpx
import jsonschema
import pytest
from referencing import Registry, Resource

SCHEMAS = Path(__file__).parent / "reconciliation-api" / "0.2"
ENDPOINT = "/north-korea-cities/city_spellings/-/reconcile"
BATCH = 10  # OpenRefine's batch size


def validator(name):
    schemas = {path.stem: json.loads(path.read_text()) for path in SCHEMAS.glob("*.json")}
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT))
        for schema in schemas.values())
    return jsonschema.Draft7Validator(schemas[name], registry=registry)


DRAFT = __import__("referencing.jsonschema").jsonschema.DRAFT7


@pytest.fixture(scope="module")
def reconcile(server):
    """POST a batch of queries {id: query} the way OpenRefine does; the validated response."""
    def reconcile(queries):
        validator("reconciliation-query-batch").validate(queries)
        response = httpx.post(server + ENDPOINT, data={"queries": json.dumps(queries)})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        results = response.json()
        validator("reconciliation-result-batch").validate(results)
        assert results.keys() == queries.keys()
        return {key: value["result"] for key, value in results.items()}
    return reconcile


def reconcile_all(reconcile, texts):
    """{text: candidates} for every text, in batches of BATCH."""
    texts, out = list(texts), {}
    for start in range(0, len(texts), BATCH):
        batch = {f"q{i}": {"query": text, "type": "city", "type_strict": "should"}
                 for i, text in enumerate(texts[start:start + BATCH])}
        out.update({batch[key]["query"]: candidates
                    for key, candidates in reconcile(batch).items()})
    return out


@pytest.fixture(scope="module")
def spellings(db):
    """[(spelling, city key)] for every row of city_names."""
    return list(db.execute("SELECT name, city_id FROM city_names ORDER BY id"))


@pytest.fixture(scope="module")
def key(db):
    return dict(db.execute("SELECT name, id FROM cities"))


def test_manifest_validates(server):
    manifest = httpx.get(server + ENDPOINT).json()
    validator("manifest").validate(manifest)
    assert "0.2" in manifest["versions"]


def test_manifest_as_jsonp(server):
    response = httpx.get(server + ENDPOINT, params={"callback": "jsonp1234"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    text = response.text
    assert text.startswith("jsonp1234(") and text.endswith(");")
    validator("manifest").validate(json.loads(text[len("jsonp1234("):-2]))


def test_query_by_get_as_jsonp(server, key):
    queries = {"q0": {"query": "평양직할시"}}
    response = httpx.get(server + ENDPOINT, params={"queries": json.dumps(queries),
                                                    "callback": "cb"})
    results = json.loads(response.text[len("cb("):-2])
    validator("reconciliation-result-batch").validate(results)
    assert results["q0"]["result"][0]["id"] == str(key["Pyongyang"])


def test_no_jsonp_for_a_callback_that_is_not_a_name(server):
    response = httpx.get(server + ENDPOINT, params={"callback": "alert(1)//"})
    assert response.headers["content-type"].startswith("application/json")


def test_view_url_leads_to_the_city_page(server, key):
    template = httpx.get(server + ENDPOINT).json()["view"]["url"]
    page = httpx.get(template.replace("{{id}}", str(key["Sinuiju"])), follow_redirects=True)
    assert page.status_code == 200
    assert page.url.path == f"/north-korea-cities/cities/{key['Sinuiju']}"
    assert "신의주" in page.text


def test_every_spelling_matches_its_city(reconcile, spellings):
    """Each spelling, as written, in upper and in lower case: the first candidate is its city with
    match: true, and no other city is a match."""
    texts = {variant: city for name, city in spellings
             for variant in {name, name.upper(), name.lower()}}
    results = reconcile_all(reconcile, texts)
    for text, city in texts.items():
        candidates = results[text]
        assert candidates, text
        assert candidates[0]["id"] == str(city) and candidates[0]["match"] is True, text
        assert {c["id"] for c in candidates if c["match"]} == {str(city)}, text


# McCune-Reischauer as spreadsheets write it: the apostrophes without the breves, the breves
# without the apostrophes (the cities' MR read by eye from source/korean-names.csv).
PARTIAL_MR = {"P'yongyang": "Pyongyang", "Pyŏngyang": "Pyongyang", "Huich'on": "Huichon",
              "Hŭichŏn": "Huichon", "Ch'ongjin": "Chongjin", "Tŏkchŏn": "Tokchon",
              "KIMCH'AEK": "Kimchaek", "sinŭiju": "Sinuiju"}


def test_mr_without_breves_or_apostrophes_matches(reconcile, key):
    results = reconcile_all(reconcile, PARTIAL_MR)
    for text, city in PARTIAL_MR.items():
        assert results[text][0]["id"] == str(key[city]), text
        assert results[text][0]["match"] is True, text


# Each a single edit (a letter dropped, added or changed) of a spelling of the city, checked by
# eye to be at least two edits from every spelling of every other city.
MISSPELLINGS = {
    "Pyongyanh": "Pyongyang", "Pyongayng": None, "Sinuju": "Sinuiju", "Hamhng": "Hamhung",
    "Kaesongg": "Kaesong", "Gaesong": "Kaesong", "Wonsn": "Wonsan", "Hyesam": "Hyesan",
    "Sariwom": "Sariwon", "Kimchack": "Kimchaek", "Samjiyn": "Samjiyon", "P'yongyanh": "Pyongyang",
    "Tokcheon": "Tokchon", "Hoeryeng": "Hoeryong", "평앙직할시": "Pyongyang", "신의즈": "Sinuiju",
}


def test_misspelling_gets_the_right_city_first(reconcile, key):
    results = reconcile_all(reconcile, MISSPELLINGS)
    for text, city in MISSPELLINGS.items():
        candidates = results[text]
        if city is None:  # a transposition is two edits: no candidate is promised
            continue
        assert candidates, text
        assert candidates[0]["id"] == str(key[city]), (text, candidates[0])
        assert not any(c["match"] for c in candidates), text


def test_a_city_is_one_candidate_whatever_its_spellings(reconcile, key):
    # "pyongyang" is the English name and, folded, the MR P'yŏngyang: two rows of city_spellings.
    candidates = reconcile_all(reconcile, ["pyongyang", "P'yŏngyang", "Pyeongyang"])
    for text, found in candidates.items():
        assert [c["id"] for c in found] == [key["Pyongyang"]], (text, found)
        assert found[0]["match"] is True, text


def test_no_candidate_for_another_place(reconcile):
    assert reconcile_all(reconcile, ["Seoul", "London", "서울"]) == {
        "Seoul": [], "London": [], "서울": []}


def test_match_is_cheap_in_arbitrary_sql(server):
    """match() is on every connection: on long strings it answers 0 without comparing them."""
    sql = "select match(printf('%.*c', 100000, 'x'), printf('%.*c', 99999, 'x')) as m"
    response = httpx.get(server + "/north-korea-cities.json",
                         params={"sql": sql, "_shape": "array"}, timeout=5)
    assert response.json() == [{"m": 0}]


@pytest.mark.parametrize("service, schema, prefix", [
    ("entity", "suggest-entities-response", "Pyo"), ("type", "suggest-types-response", "ci"),
    ("property", "suggest-properties-response", "na")])
def test_suggest_services_validate(server, service, schema, prefix):
    """The suggest services the manifest declares answer as the schemas say."""
    suggest = httpx.get(server + ENDPOINT).json()["suggest"][service]
    response = httpx.get(suggest["service_url"] + suggest["service_path"],
                         params={"prefix": prefix})
    assert response.status_code == 200
    validator(schema).validate(response.json())
    assert response.json()["result"]


# A status word or suffix in any script, and typographic apostrophes and hyphens, as spreadsheets
# and GeoNames write a city (the Korean and Hancha suffixes from source/korean-names.csv).
STATUS_WORDS = {
    "Pyongyang-si": "Pyongyang", "Pyongyang City": "Pyongyang", "평양직할시": "Pyongyang",
    "平壤直轄市": "Pyongyang", "Sinuiju-si": "Sinuiju", "Sinuiju City": "Sinuiju",
    "신의주시": "Sinuiju", "新義州市": "Sinuiju", "Nampo Special City": "Nampo",
    "Rason-t'ŭkpyŏlsi": "Rason", "Kaesong Special-Level City": "Kaesong",
    "P\u2019y\u014fngyang": "Pyongyang", "Hamh\u016dng\u2010si": "Hamhung",
    "Ch\u02bc\u014fngjin \u2013 si": "Chongjin", "sinuiju city": "Sinuiju",
}


def test_status_words_and_typographic_marks_find_the_city(reconcile, key):
    results = reconcile_all(reconcile, STATUS_WORDS)
    for text, city in STATUS_WORDS.items():
        assert results[text], text
        assert results[text][0]["id"] == key[city], (text, results[text][0])
        # Equal once folded: a match OpenRefine may take without asking.
        assert results[text][0]["match"] is True, text
        assert [c["id"] for c in results[text] if c["match"]] == [key[city]], text


def test_a_candidate_is_named_after_its_city_with_the_spelling_beside_it(reconcile):
    results = reconcile_all(reconcile, ["咸興", "Hamhung", "함흥시"])
    assert results["咸興"][0]["name"] == "Hamhung (咸興)"
    assert results["Hamhung"][0]["name"] == "Hamhung"
    assert results["함흥시"][0]["name"] == "Hamhung (함흥시)"


def test_openrefine_extends_reconciled_cities(server, reconcile):
    """OpenRefine's "Add columns from reconciled values", in its order: the manifest, the
    reconciliation of a column, the property proposals, then `extend` as a form-encoded POST."""
    manifest = httpx.get(server + ENDPOINT).json()
    validator("manifest").validate(manifest)
    column = ["Hamhung", "Pyongyang City", "신의주시"]
    results = reconcile_all(reconcile, column)
    ids = [results[text][0]["id"] for text in column]

    propose = manifest["extend"]["propose_properties"]
    response = httpx.get(propose["service_url"] + propose["service_path"],
                         params={"type": "city", "limit": "20"})
    assert response.status_code == 200
    proposals = response.json()
    validator("data-extension-property-proposal").validate(proposals)
    offered = {prop["id"] for prop in proposals["properties"]}
    assert {"population_2008", "province", "status", "founded", "latitude", "longitude",
            "hangul", "hancha", "province_iso_code"} <= offered

    query = {"ids": ids, "properties": [{"id": "population_2008"}, {"id": "province"}]}
    validator("data-extension-query").validate(query)
    response = httpx.post(server + ENDPOINT, data={"extend": json.dumps(query)})
    assert response.status_code == 200, response.text
    extended = response.json()
    validator("data-extension-response").validate(extended)
    assert [meta["id"] for meta in extended["meta"]] == ["population_2008", "province"]
    # The article's list: Hamhung 768,551 in South Hamgyong; Pyongyang 3,255,288, its own
    # division; Sinuiju 359,341 in North Pyongan.
    assert [extended["rows"][key] for key in ids] == [
        {"population_2008": [{"int": 768551}], "province": [{"str": "South Hamgyong"}]},
        {"population_2008": [{"int": 3255288}], "province": [{"str": "Pyongyang"}]},
        {"population_2008": [{"int": 359341}], "province": [{"str": "North Pyongan"}]}]


def test_extend_names_a_property_it_does_not_have(server, key):
    query = {"ids": [key["Hamhung"]], "properties": [{"id": "city"}]}
    response = httpx.post(server + ENDPOINT, data={"extend": json.dumps(query)})
    assert response.status_code == 400
    assert "no property city" in response.json()["error"]


def test_preview_shows_the_city(server, key):
    manifest = httpx.get(server + ENDPOINT).json()
    validator("manifest").validate(manifest)
    response = httpx.get(manifest["preview"]["url"].replace("{{id}}", key["Hamhung"]))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    # Hamhung: 함흥시, 咸興市, a city of South Hamgyong, 768,551 people (article, korean-names.csv)
    for text in ["Hamhung", "함흥시", "咸興市", "South Hamgyong", "768,551"]:
        assert text in response.text
    missing = httpx.get(manifest["preview"]["url"].replace("{{id}}", "nowhere"))
    assert missing.status_code == 404
