-- The whole economy's aggregates keep protected establishments (statutDiffusion not
-- 'O', ESS or not) apart: public figures count them only at the département, as the
-- ESS figures do (issue 16). Rows written before cannot be split: they are dropped,
-- and the share of the ESS in salaried jobs is empty until the edition's SIRENE files
-- are imported again.
DROP TABLE economy_cells;

CREATE TABLE economy_cells (
    edition BIGINT NOT NULL REFERENCES editions (year) ON DELETE CASCADE,
    code_insee TEXT COLLATE "C" NOT NULL,
    naf_section TEXT COLLATE "C" NOT NULL,
    size_band TEXT COLLATE "C" NOT NULL,
    protected BOOLEAN NOT NULL,
    establishments BIGINT NOT NULL,
    employers BIGINT NOT NULL,
    jobs_estimate DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (edition, code_insee, naf_section, size_band, protected)
);
