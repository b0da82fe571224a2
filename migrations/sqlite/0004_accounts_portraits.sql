-- Staff accounts and sessions, the territory portraits with their validation
-- workflow, orientations and actions, and the append-only history of every change.
-- Times are Unix seconds (INTEGER) where they are compared, ISO 8601 text otherwise.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'charge_de_mission', 'referent', 'lecteur')),
    -- argon2id PHC string; the clear password is never stored.
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

-- The territories a referent may edit (other roles ignore it).
CREATE TABLE user_territories (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    territory TEXT NOT NULL,
    PRIMARY KEY (user_id, territory)
);

-- Server-side sessions. Only the SHA-256 of the cookie's token is stored, so that a
-- copy of the database does not hand out live sessions.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins, for throttling (per user name and per client address).
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

-- One portrait per territory (or the département's code, for the département-wide
-- orientations) and edition. `sections` is JSON: the Markdown sources.
CREATE TABLE portraits (
    territory TEXT NOT NULL,
    edition INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('brouillon', 'soumis', 'valide', 'adopte', 'publie')),
    sections TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    PRIMARY KEY (territory, edition)
);

-- Each workflow step: who, when, the body and the reference of its decision.
CREATE TABLE portrait_transitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    territory TEXT NOT NULL,
    edition INTEGER NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    at TEXT NOT NULL,
    body TEXT,
    decision_ref TEXT,
    comment TEXT,
    FOREIGN KEY (territory, edition) REFERENCES portraits (territory, edition)
);
CREATE INDEX portrait_transitions_portrait ON portrait_transitions (territory, edition, id);

-- Orientations of a territory (or the département) proposed with an edition's
-- portrait, for a period such as 2015–2021. Deleting sets `deleted_at`.
CREATE TABLE orientations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    territory TEXT NOT NULL,
    edition INTEGER NOT NULL,
    period_start INTEGER NOT NULL,
    period_end INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX orientations_territory ON orientations (territory, edition);

-- Actions of an orientation. `epci`, `partners`, `budgets` and `indicators` are JSON
-- arrays. Deleting sets `deleted_at`.
CREATE TABLE actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    orientation_id INTEGER NOT NULL REFERENCES orientations (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    epci TEXT NOT NULL,
    pilot TEXT NOT NULL,
    partners TEXT NOT NULL,
    budgets TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('a_venir', 'en_cours', 'realise', 'en_pause', 'abandonne')),
    flagship INTEGER NOT NULL,
    start_date TEXT,
    end_date TEXT,
    indicators TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX actions_orientation ON actions (orientation_id);

-- Append-only history: every mutation writes one row in the same transaction.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    username TEXT NOT NULL,
    at TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX changes_entity ON changes (entity, entity_id, id);
CREATE TRIGGER changes_append_only_update BEFORE UPDATE ON changes
BEGIN
    SELECT RAISE(ABORT, 'changes is append-only');
END;
CREATE TRIGGER changes_append_only_delete BEFORE DELETE ON changes
BEGIN
    SELECT RAISE(ABORT, 'changes is append-only');
END;
