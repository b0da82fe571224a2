-- PostgreSQL twin of migrations/sqlite/0005_subsidies.sql.

CREATE TABLE other_establishments (
    edition BIGINT NOT NULL REFERENCES editions (year) ON DELETE CASCADE,
    siret TEXT COLLATE "C" NOT NULL,
    siren TEXT COLLATE "C" NOT NULL,
    rna TEXT,
    siege BOOLEAN NOT NULL,
    code_insee TEXT COLLATE "C" NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (edition, siret)
);
CREATE INDEX other_establishments_siren ON other_establishments (edition, siren);

CREATE INDEX establishments_siren ON establishments (edition, siren);

CREATE TABLE subsidies (
    edition BIGINT NOT NULL REFERENCES editions (year) ON DELETE CASCADE,
    line BIGINT NOT NULL,
    attribuant_name TEXT,
    attribuant_id TEXT,
    beneficiary_name TEXT NOT NULL,
    beneficiary_id TEXT,
    rna TEXT,
    convention_date TEXT,
    decision_reference TEXT,
    object TEXT,
    nature TEXT,
    amount DOUBLE PRECISION NOT NULL,
    share DOUBLE PRECISION NOT NULL,
    granted DOUBLE PRECISION NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    match_method TEXT COLLATE "C",
    siret TEXT COLLATE "C",
    code_insee TEXT COLLATE "C",
    family TEXT COLLATE "C",
    naf_section TEXT COLLATE "C",
    size_band TEXT COLLATE "C",
    note TEXT,
    PRIMARY KEY (edition, line)
);
CREATE INDEX subsidies_status ON subsidies (edition, status);
