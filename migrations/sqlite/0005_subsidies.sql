-- The Département's subsidies (SCDL subventions files) matched to the registry, and
-- what matching needs from SIRENE beyond the ESS registry (issue 8).

-- Active establishments of the geography whose legal unit is not ESS (or is excluded
-- by its activity), kept compactly by the SIRENE import so that a subsidy to them is
-- recognised as going outside the ESS rather than reported as unknown. They are never
-- shown, listed or counted in indicators.
CREATE TABLE other_establishments (
    edition INTEGER NOT NULL REFERENCES editions (year) ON DELETE CASCADE,
    siret TEXT NOT NULL,
    siren TEXT NOT NULL,
    -- identifiantAssociationUniteLegale of the unit
    rna TEXT,
    siege INTEGER NOT NULL,
    code_insee TEXT NOT NULL,
    -- not_ess | excluded_activity_public_administration | excluded_activity_organisation
    reason TEXT NOT NULL,
    PRIMARY KEY (edition, siret)
);
CREATE INDEX other_establishments_siren ON other_establishments (edition, siren);

-- Matching subsidies by SIREN.
CREATE INDEX establishments_siren ON establishments (edition, siren);

-- One row per imported line of the edition's SCDL file. The match is decided at
-- import against the edition's registry, and the establishment's commune, family,
-- section and size band are copied here, so that figures do not move if SIRENE is
-- imported again (import the subsidies again to re-match).
CREATE TABLE subsidies (
    edition INTEGER NOT NULL REFERENCES editions (year) ON DELETE CASCADE,
    -- line in the file, as an editor shows it (the header is line 1)
    line INTEGER NOT NULL,
    attribuant_name TEXT,
    attribuant_id TEXT,
    beneficiary_name TEXT NOT NULL,
    -- idBeneficiaire as read: 14 digits (SIRET) or 9 (SIREN), spaces removed
    beneficiary_id TEXT,
    rna TEXT,
    -- AAAA-MM-JJ
    convention_date TEXT,
    decision_reference TEXT,
    object TEXT,
    nature TEXT,
    -- montant, euros
    amount REAL NOT NULL,
    -- pourcentageSubvention, 0 < share <= 1
    share REAL NOT NULL,
    -- amount × share, rounded to the cent: what the beneficiary receives
    granted REAL NOT NULL,
    -- ess | non_ess | unmatched
    status TEXT NOT NULL,
    -- siret | siren_siege | siren_establishment | rna, NULL when unmatched
    match_method TEXT,
    -- the establishment the subsidy is attributed to
    siret TEXT,
    code_insee TEXT,
    family TEXT,
    naf_section TEXT,
    size_band TEXT,
    -- why it is unmatched, or what the match assumed
    note TEXT,
    PRIMARY KEY (edition, line)
);
CREATE INDEX subsidies_status ON subsidies (edition, status);
