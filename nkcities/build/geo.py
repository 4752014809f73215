"""Check each city's point: inside North Korea, and near the GeoNames place of its name.

Pure: entries and places in, distances out; errors are InputErrors with the line of the
supplement row (the caller names the file)."""

import math

from nkcities.build.errors import InputError
from nkcities.geography import BOX
from nkcities.spelling import name_key

MAX_KM = 15
EARTH_KM = 6371.0088  # mean Earth radius


def distance_km(latitude, longitude, place):
    """Great-circle (haversine) distance from a point to a GeoNames place."""
    lat1, lon1 = math.radians(latitude), math.radians(longitude)
    lat2, lon2 = math.radians(place.latitude), math.radians(place.longitude)
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def city_keys(entry):
    return {name_key(n) for n in {entry.name, entry.mr, entry.rr, entry.hangul, entry.hancha}}


def check_box(entry):
    if not (BOX["south"] <= entry.latitude <= BOX["north"]
            and BOX["west"] <= entry.longitude <= BOX["east"]):
        raise InputError(entry.line, f"point {entry.latitude}, {entry.longitude} is outside "
                                     f"North Korea (latitude {BOX['south']}..{BOX['north']}, "
                                     f"longitude {BOX['west']}..{BOX['east']})")


def places_by_key(places):
    """{name key: [(position, Place), ...]}, built once, so that a city looks only at the places
    that share one of its names, in the order of places."""
    by_key = {}
    for position, place in enumerate(places.values()):
        for key in place.keys:
            by_key.setdefault(key, []).append((position, place))
    return by_key


def check_unrecorded(entry, by_key):
    """A city without a geonameid must not have a GeoNames place of its name nearby."""
    namesakes = {pair for key in city_keys(entry) for pair in by_key.get(key, ())}
    for _, place in sorted(namesakes):
        km = distance_km(entry.latitude, entry.longitude, place)
        if km <= MAX_KM:
            raise InputError(entry.line, f"GeoNames has {place.name!r} ({place.geonameid}) "
                                         f"{km:.1f} km away: record its geonameid")


def locate(entry, places, by_key, overridden):
    """Check a city's point; return its distance in km to its GeoNames place (None if none)."""
    check_box(entry)
    if entry.geonameid is None:
        check_unrecorded(entry, by_key)
        return None
    place = places.get(entry.geonameid)
    if place is None:
        raise InputError(entry.line, f"geonameid {entry.geonameid} is not a North Korean place "
                                     f"in GeoNames")
    if not city_keys(entry) & place.keys:
        raise InputError(entry.line, f"GeoNames {entry.geonameid} is {place.name!r}, "
                                     f"not {entry.name!r} by any of its names")
    km = distance_km(entry.latitude, entry.longitude, place)
    if km > MAX_KM and not overridden:
        raise InputError(entry.line, f"point {entry.latitude}, {entry.longitude} is {km:.1f} km "
                                     f"from GeoNames {place.name!r} ({place.geonameid}), more "
                                     f"than {MAX_KM} km")
    return round(km, 1)


def locate_cities(entries, overrides, places):
    """{city: km to its GeoNames place or None} for every city entry."""
    by_key = places_by_key(places)
    return {name: locate(entry, places, by_key, name in overrides)
            for (kind, name), entry in entries.items() if kind == "city"}


def check_overrides(overrides, entries, distances):
    """Every override names a city and its geonameid, and is needed."""
    for override in overrides.values():
        entry = entries.get(("city", override.city))
        if entry is None or entry.geonameid != override.geonameid:
            raise InputError(override.line, f"no city {override.city!r} with geonameid "
                                            f"{override.geonameid} in the Korean names")
        if distances[override.city] <= MAX_KM:
            raise InputError(override.line, f"{override.city} is within {MAX_KM} km of "
                                            f"GeoNames: nothing to override")
