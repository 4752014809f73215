"""Checked inputs -> plain rows: {table: [dict, ...]} in schema.sql's tables, parents first.
Statuses, provinces and cities are keyed by their permanent keys (nkcities/build/keys.py), the
other tables numbered here (1, 2, ...), so that foreign keys need no look-up in the database."""

import hashlib
from pathlib import Path

import yaml

from nkcities.build import contradictions
from nkcities.build.inputs import Inputs, check_inputs
from nkcities.spelling import name_rows


def numbered(rows):
    return [{"id": i, **row} for i, row in enumerate(rows, start=1)]


def korean(entry):
    return {"hangul": entry.hangul, "hancha": entry.hancha, "mr": entry.mr}


def statuses(checked):
    province_level = {row["status"] for row in checked.sort_keys.values()}
    key = checked.keys["status"]
    return list({"id": key[s.name], "name": s.name, "declared_count": s.declared_count,
                     "province_level": int(s.name in province_level), "source_line": s.line,
                     **korean(checked.entries["status", s.name]),
                     "citation": checked.entries["status", s.name].citation}
                    for s in checked.source.statuses)


def sort_keys(checked):
    status = checked.keys["status"]
    return [{"sort_key": key, "status_id": status[row["status"]], "note": row["note"],
             "citation": row["citation"]} for key, row in checked.sort_keys.items()]


def provinces(checked):
    rows = []
    for name, kind in checked.kinds.items():
        e = checked.entries["province", name]
        rows.append({"id": checked.keys["province"][name], "name": name, "kind": kind,
                     "source_line": checked.province_lines[name], **korean(e), "rr": e.rr,
                     "iso_code": e.iso_code, "iso_name": checked.iso_names[name],
                     "citation": e.citation})
    return rows


def city(checked, city):
    cell = checked.cells[city.name]
    e = checked.entries["city", city.name]
    status = checked.entries["status", cell.status]
    return {"id": checked.keys["city"][city.name], "name": city.name,
            "province_id": checked.keys["province"][cell.name],
            "status_id": checked.keys["status"][cell.status],
            "population_2008": city.population_2008,
            "founded": city.founded, "founded_precision": city.founded_precision,
            "source_line": city.line, **korean(e), "rr": e.rr,
            "full_hangul": e.hangul + status.hangul, "full_hancha": e.hancha + status.hancha,
            "latitude": e.latitude, "longitude": e.longitude, "geonameid": e.geonameid,
            "geonames_km": checked.distances[city.name], "citation": e.citation}


def status_changes(checked):
    """Each change of status the article states (nkcities/build/history.py), names as keys."""
    key = checked.keys
    named = {"status_id": ("status", "status"), "province_id": ("province", "province"),
             "status_before_id": ("status", "status_before"),
             "province_before_id": ("province", "province_before")}
    return numbered({"city_id": key["city"][c.city], "change": c.change, "date": c.date,
                     "date_precision": c.precision,
                     **{column: key[kind][name] if (name := getattr(c, field)) else None
                        for column, (kind, field) in named.items()},
                     "source_line": c.line, "quote": c.quote} for c in checked.changes)


def city_names(cities):
    """Every way of writing each city (spelling.WRITING_SYSTEMS), for search."""
    return numbered({"city_id": c["id"], "writing_system": system, "name": name}
                    for c in cities for system, name in name_rows(
                        c["name"], c["mr"], c["rr"], c["hangul"], c["full_hangul"], c["hancha"],
                        c["full_hancha"]))


def provenance(checked):
    metadata = yaml.load(Path(checked.inputs.metadata).read_text(encoding="utf-8"),
                         Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    values = {"article_title": checked.source.title, "article_url": metadata["source_url"],
              "license": metadata["license"], "license_url": metadata["license_url"],
              "source_file": f"source/{Path(checked.inputs.source).name}",
              "source_sha256": hashlib.sha256(checked.raw).hexdigest()}
    return [{"key": key, "value": value} for key, value in values.items()]


def table_rows(inputs=Inputs()):
    """Every table's rows, checked; nothing written."""
    checked = check_inputs(inputs)
    tables = {"statuses": statuses(checked), "provinces": provinces(checked),
              "sort_keys": sort_keys(checked),
              "cities": [city(checked, c) for c in checked.source.cities]}
    tables["city_names"] = city_names(tables["cities"])
    tables["status_changes"] = status_changes(checked)
    tables["notes"] = numbered({"section": n.section, "kind": n.kind, "text": n.text,
                                "source_line": n.line} for n in checked.source.notes)
    tables["contradictions"], tables["contradiction_quotes"] = contradictions.rows(
        checked.contradictions)
    tables["provenance"] = provenance(checked)
    return tables
