-- The whole economy's aggregates keep protected establishments (statutDiffusion not
-- 'O', ESS or not) apart: public figures count them only at the département, as the
-- ESS figures do (issue 16). Rows written before cannot be split: they are dropped,
-- and the share of the ESS in salaried jobs is empty until the edition's SIRENE files
-- are imported again.
DROP TABLE economy_cells;

CREATE TABLE economy_cells (
    edition INTEGER NOT NULL REFERENCES editions (year) ON DELETE CASCADE,
    code_insee TEXT NOT NULL,
    naf_section TEXT NOT NULL,
    size_band TEXT NOT NULL,
    protected INTEGER NOT NULL,
    establishments INTEGER NOT NULL,
    employers INTEGER NOT NULL,
    jobs_estimate REAL NOT NULL,
    PRIMARY KEY (edition, code_insee, naf_section, size_band, protected)
);
