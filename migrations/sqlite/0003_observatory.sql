-- Aggregates of the regional ESS observatory (CRESS, "volet 1") for an edition, in the
-- CSV format documented in README.md. When an edition has them, they take precedence
-- over SIRENE estimates for the figures they cover.
CREATE TABLE observatory_cells (
    edition INTEGER NOT NULL REFERENCES editions (year) ON DELETE CASCADE,
    -- commune | epci | territory | department
    level TEXT NOT NULL,
    code TEXT NOT NULL,
    -- a family id, 'ess' (the four families) or 'economy' (all salaried employment)
    family TEXT NOT NULL,
    -- NAF section A-U, or '' for all sectors
    sector TEXT NOT NULL,
    establishments INTEGER,
    jobs REAL,
    fte REAL,
    payroll REAL,
    -- 1 when the observatory itself masked the figures ("s" in its file)
    masked INTEGER NOT NULL,
    PRIMARY KEY (edition, level, code, family, sector)
);
