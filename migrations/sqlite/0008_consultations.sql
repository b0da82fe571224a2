-- Public consultations on a territory's draft orientations and actions (issue 20),
-- and the contributions the public sends during them. A contribution's e-mail and
-- client address are never published; only accepted contributions are shown.

CREATE TABLE consultations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    territory TEXT NOT NULL,
    edition INTEGER NOT NULL,
    -- AAAA-MM-JJ, both days included.
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    introduction TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ouverte', 'close')),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    closed_at TEXT
);
CREATE INDEX consultations_territory ON consultations (territory, edition);

CREATE TABLE contributions (
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
    -- The SIRET given, and the commune of the establishment when the registry knows it.
    siret TEXT,
    commune TEXT,
    consent_at TEXT NOT NULL,
    ip TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('en_attente', 'acceptee', 'refusee', 'spam')),
    reason TEXT,
    -- Unix seconds: the rate limit per address counts recent ones.
    created_at INTEGER NOT NULL,
    moderated_at TEXT,
    moderated_by INTEGER REFERENCES users (id)
);
CREATE INDEX contributions_consultation ON contributions (consultation_id, status);
CREATE INDEX contributions_ip ON contributions (ip, created_at);
