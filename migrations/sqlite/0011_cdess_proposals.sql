-- The CDESS's proposals for the département's plan (issue 20): the conseil
-- départemental de l'ESS proposes orientations and actions for the département-wide
-- plan (territory code `62`); a chargé de mission records them, with the session
-- that made them, and the compendium prints them in their own section. Deleting only
-- sets `deleted_at`; every change is in the append-only history.

CREATE TABLE cdess_proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    edition INTEGER NOT NULL,
    -- AAAA-MM-JJ: the CDESS session that adopted the proposal.
    session_on TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- The département's orientation it concerns, when there is one.
    orientation_id INTEGER REFERENCES orientations (id),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    deleted_at TEXT
);
CREATE INDEX cdess_proposals_edition ON cdess_proposals (edition);
