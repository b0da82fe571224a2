-- PostgreSQL twin of migrations/sqlite/0001_geography.sql (same tables, same columns;
-- see that file for what they mean). Types: INTEGER -> BIGINT (the server reads i64),
-- REAL -> DOUBLE PRECISION, 0/1 flags -> BOOLEAN. Codes and names sort bytewise
-- (COLLATE "C"), as in SQLite, so that both backends list in the same order whatever
-- the database's locale.

CREATE TABLE geodata_state (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    department_code TEXT NOT NULL,
    department_name TEXT NOT NULL,
    attribution TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);

CREATE TABLE territories (
    code TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    area_km2 DOUBLE PRECISION NOT NULL,
    geometry TEXT NOT NULL
);

CREATE TABLE epci (
    siren TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    short_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    area_km2 DOUBLE PRECISION NOT NULL,
    geometry TEXT NOT NULL
);

CREATE TABLE communes (
    code_insee TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    population BIGINT NOT NULL CHECK (population >= 0),
    epci_siren TEXT COLLATE "C" NOT NULL REFERENCES epci (siren),
    area_km2 DOUBLE PRECISION NOT NULL,
    geometry TEXT NOT NULL
);
CREATE INDEX communes_epci ON communes (epci_siren);

CREATE TABLE commune_territory (
    code_insee TEXT COLLATE "C" PRIMARY KEY REFERENCES communes (code_insee),
    territory_code TEXT COLLATE "C" NOT NULL REFERENCES territories (code)
);
CREATE INDEX commune_territory_territory ON commune_territory (territory_code);

CREATE TABLE editions (
    year BIGINT PRIMARY KEY,
    reference_date TEXT NOT NULL,
    sources TEXT NOT NULL DEFAULT '',
    perimeter_rule_version TEXT NOT NULL,
    created_at TEXT NOT NULL
);
