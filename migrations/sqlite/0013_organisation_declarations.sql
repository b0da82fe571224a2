-- What an ESS organisation declares about itself from its card on the map (issue 20,
-- « les organisations parlent pour elles-mêmes »): a presentation, its website, the
-- ESUS agrément, labels, networks and activities. A sibling of `contributions` with
-- the same personal data, e-mail confirmation, moderation states, retention and
-- erasure (src/db/declarations.rs says why a sibling table). Declarations never enter
-- the SIRENE-based statistics: nothing reads this table but the card and moderation.
CREATE TABLE declarations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The establishment, across editions (no foreign key: establishments are per edition).
    siret TEXT NOT NULL,
    -- INSEE code of its commune when declared: the territory that moderates it.
    commune TEXT NOT NULL,
    -- Markdown, rendered as the portraits' sections are (raw HTML shown as text).
    description TEXT NOT NULL,
    -- http(s) URL or empty.
    website TEXT NOT NULL,
    esus INTEGER NOT NULL,
    -- JSON arrays of short texts.
    labels TEXT NOT NULL,
    networks TEXT NOT NULL,
    activities TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    email TEXT NOT NULL,
    consent_at TEXT NOT NULL,
    ip TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('a_confirmer', 'en_attente', 'acceptee', 'refusee', 'spam')),
    reason TEXT,
    -- Unix seconds.
    created_at INTEGER NOT NULL,
    moderated_at TEXT,
    moderated_by INTEGER REFERENCES users (id),
    confirm_token TEXT,
    -- Unix seconds.
    confirm_expires_at INTEGER,
    confirmed_at TEXT,
    anonymised_at TEXT
);
CREATE INDEX declarations_siret ON declarations (siret, status);
CREATE INDEX declarations_status ON declarations (status);
CREATE INDEX declarations_ip ON declarations (ip, created_at);
CREATE UNIQUE INDEX declarations_confirm_token ON declarations (confirm_token);
CREATE INDEX declarations_email ON declarations (email);
