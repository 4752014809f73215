"""North Korea's extent, defined once: the build checks every point against it
(nkcities/build/geo.py), and the home page's schema.org Dataset gives it as its spatial coverage
(plugins/dataset_jsonld.py)."""

# North Korea's extreme points (Wikipedia, "Extreme points of North Korea"), rounded outwards:
# Kangryong 37°41'N, Onsong 43°00'N, Sindo 124°10'E, Rason 130°40'E.
BOX = {"south": 37.67, "north": 43.01, "west": 124.17, "east": 130.68}
