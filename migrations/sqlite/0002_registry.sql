-- The ESS registry: establishments of each edition, the whole economy's aggregates
-- (denominator of the share of ESS in salaried employment), and import reports.

ALTER TABLE editions ADD COLUMN imported_at TEXT;
-- 1 when the edition holds synthetic demonstration data.
ALTER TABLE editions ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;

-- One row per active ESS establishment (families and ESS commercial companies) located
-- in a commune of the geography. EPCI and territory are not stored: they follow the
-- current mapping (BRIEF rule 8) through `code_insee`.
CREATE TABLE establishments (
    edition INTEGER NOT NULL REFERENCES editions (year) ON DELETE CASCADE,
    siret TEXT NOT NULL,
    siren TEXT NOT NULL,
    name TEXT NOT NULL,
    enseigne TEXT,
    family TEXT NOT NULL,
    categorie_juridique TEXT NOT NULL,
    naf TEXT,
    naf_section TEXT,
    ess_group TEXT,
    size_band TEXT,
    jobs_estimate REAL NOT NULL,
    employer INTEGER NOT NULL,
    siege INTEGER NOT NULL,
    creation_date TEXT,
    code_insee TEXT NOT NULL,
    rna TEXT,
    -- statutDiffusion of unit / establishment combined: 'O' public, else protected.
    diffusion TEXT NOT NULL,
    -- Protected establishments are counted, never named, listed or placed (rule 5).
    protected INTEGER NOT NULL,
    address TEXT,
    lon REAL,
    lat REAL,
    -- 1 when the point was placed inside the commune for lack of coordinates.
    location_approximate INTEGER NOT NULL,
    -- Folded name, enseigne and SIRET for text search.
    search_key TEXT NOT NULL,
    PRIMARY KEY (edition, siret)
);
CREATE INDEX establishments_commune ON establishments (edition, code_insee);
CREATE INDEX establishments_family ON establishments (edition, family);

-- Every active establishment of the geography, ESS or not, aggregated per commune,
-- NAF section and size band: the same-source denominator of employment shares.
CREATE TABLE economy_cells (
    edition INTEGER NOT NULL REFERENCES editions (year) ON DELETE CASCADE,
    code_insee TEXT NOT NULL,
    naf_section TEXT NOT NULL,
    size_band TEXT NOT NULL,
    establishments INTEGER NOT NULL,
    employers INTEGER NOT NULL,
    jobs_estimate REAL NOT NULL,
    PRIMARY KEY (edition, code_insee, naf_section, size_band)
);

CREATE TABLE import_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    edition INTEGER NOT NULL REFERENCES editions (year) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    -- The ImportReport as JSON.
    report TEXT NOT NULL
);
CREATE INDEX import_reports_edition ON import_reports (edition, id);
