-- PostgreSQL twin of migrations/sqlite/0003_observatory.sql.
CREATE TABLE observatory_cells (
    edition BIGINT NOT NULL REFERENCES editions (year) ON DELETE CASCADE,
    level TEXT COLLATE "C" NOT NULL,
    code TEXT COLLATE "C" NOT NULL,
    family TEXT COLLATE "C" NOT NULL,
    sector TEXT COLLATE "C" NOT NULL,
    establishments BIGINT,
    jobs DOUBLE PRECISION,
    fte DOUBLE PRECISION,
    payroll DOUBLE PRECISION,
    masked BOOLEAN NOT NULL,
    PRIMARY KEY (edition, level, code, family, sector)
);
