-- E-mail confirmation of public contributions, and their anonymisation (issue 20).
-- A contribution is received « à confirmer » (`a_confirmer`): a link with a random
-- single-use token is e-mailed to its author; only the SHA-256 of the token is kept,
-- with its expiry. Following the link makes it `en_attente` (of moderation).
-- `anonymised_at` is set when the retention period or an erasure request removed its
-- author's name, e-mail and client address.
--
-- SQLite cannot change a CHECK constraint: the table is rebuilt (no table refers to
-- it). Contributions received before this migration keep their status.

CREATE TABLE contributions_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id),
    kind TEXT NOT NULL CHECK (kind IN ('commentaire', 'proposition', 'participation')),
    orientation_id INTEGER REFERENCES orientations (id),
    action_id INTEGER REFERENCES actions (id),
    body TEXT NOT NULL,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL,
    role TEXT NOT NULL,
    email TEXT NOT NULL,
    siret TEXT,
    commune TEXT,
    consent_at TEXT NOT NULL,
    ip TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('a_confirmer', 'en_attente', 'acceptee', 'refusee', 'spam')),
    reason TEXT,
    created_at INTEGER NOT NULL,
    moderated_at TEXT,
    moderated_by INTEGER REFERENCES users (id),
    confirm_token TEXT,
    -- Unix seconds.
    confirm_expires_at INTEGER,
    confirmed_at TEXT,
    anonymised_at TEXT
);
INSERT INTO contributions_new (id, consultation_id, kind, orientation_id, action_id, body,
    name, organisation, role, email, siret, commune, consent_at, ip, status, reason,
    created_at, moderated_at, moderated_by)
SELECT id, consultation_id, kind, orientation_id, action_id, body, name, organisation,
    role, email, siret, commune, consent_at, ip, status, reason, created_at, moderated_at,
    moderated_by
FROM contributions;
DROP TABLE contributions;
ALTER TABLE contributions_new RENAME TO contributions;
CREATE INDEX contributions_consultation ON contributions (consultation_id, status);
CREATE INDEX contributions_ip ON contributions (ip, created_at);
CREATE UNIQUE INDEX contributions_confirm_token ON contributions (confirm_token);
CREATE INDEX contributions_email ON contributions (email);
