-- Reference geography, derived from geodata/ at start-up and cached here so that a
-- warm start does not dissolve outlines again. `geodata_state.fingerprint` says which
-- version of the files the cache reflects; a different fingerprint rebuilds it.
-- Geometries are GeoJSON geometry objects in WGS84 lon/lat (full precision), a
-- representation PostgreSQL (jsonb, or PostGIS ST_GeomFromGeoJSON) reads as well.

CREATE TABLE geodata_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    department_code TEXT NOT NULL,
    department_name TEXT NOT NULL,
    attribution TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);

CREATE TABLE territories (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    area_km2 REAL NOT NULL,
    geometry TEXT NOT NULL
);

CREATE TABLE epci (
    siren TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    area_km2 REAL NOT NULL,
    geometry TEXT NOT NULL
);

CREATE TABLE communes (
    code_insee TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    population INTEGER NOT NULL CHECK (population >= 0),
    epci_siren TEXT NOT NULL REFERENCES epci (siren),
    area_km2 REAL NOT NULL,
    geometry TEXT NOT NULL
);
CREATE INDEX communes_epci ON communes (epci_siren);

-- The commune -> territory mapping (BRIEF rule 8), kept apart from `communes` because
-- the Département changes it independently of the official geography.
CREATE TABLE commune_territory (
    code_insee TEXT PRIMARY KEY REFERENCES communes (code_insee),
    territory_code TEXT NOT NULL REFERENCES territories (code)
);
CREATE INDEX commune_territory_territory ON commune_territory (territory_code);

-- Editions (vintages) of the portrait; filled by the registry import.
CREATE TABLE editions (
    year INTEGER PRIMARY KEY,
    reference_date TEXT NOT NULL,
    sources TEXT NOT NULL DEFAULT '',
    perimeter_rule_version TEXT NOT NULL,
    created_at TEXT NOT NULL
);
