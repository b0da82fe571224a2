-- Partner accounts and their proposals (issue 20, « comptes partenaires »): the CRESS,
-- the APES and other ESS networks, scoped to territories like referents, propose text
-- for a portrait's qualitative sections, new orientations and actions, and comments;
-- the territory's referent or a chargé de mission accepts (merged, credited to the
-- partner's organisation), edits then accepts, or declines with a reason.
--
-- 1. The `partenaire` role. SQLite cannot alter a CHECK constraint, and its usual
-- rebuild of a table (new table, copy, drop, rename) needs foreign keys off: sqlx runs
-- each SQLite migration inside a transaction, where `PRAGMA foreign_keys` does
-- nothing, and dropping `users` with foreign keys on would delete every session and
-- territory assignment (ON DELETE CASCADE) and fail on the portraits and history that
-- refer to it. So the constraint's text is edited in place, the procedure SQLite
-- documents for changes that leave every stored row valid
-- (https://www.sqlite.org/lang_altertable.html#otheralter): the new constraint accepts
-- one more value. `writable_schema = RESET` reloads this connection's schema; the
-- ALTER TABLE below changes the schema cookie, so the other connections reload theirs.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
    'CHECK (role IN (''admin'', ''charge_de_mission'', ''referent'', ''lecteur''))',
    'CHECK (role IN (''admin'', ''charge_de_mission'', ''referent'', ''lecteur'', ''partenaire''))')
WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = RESET;
-- The migration fails here if the constraint was not found as written above.
CREATE TEMP TABLE migration_0010_check (ok INTEGER NOT NULL CHECK (ok = 1));
INSERT INTO migration_0010_check
SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'users'
    AND sql LIKE '%''lecteur'', ''partenaire''))%';
DROP TABLE migration_0010_check;

-- The organisation a partner account speaks for (« CRESS Hauts-de-France »): its
-- accepted proposals are credited to it. Null for the Département's staff.
ALTER TABLE users ADD COLUMN organisation TEXT;

-- 2. The proposals.
CREATE TABLE partner_proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    territory TEXT NOT NULL,
    edition INTEGER NOT NULL,
    -- `section`: text for a qualitative section of the portrait; `orientation`: a new
    -- orientation; `action`: a new action of `orientation_id`; `commentaire`: a
    -- comment on `orientation_id` or `action_id`.
    kind TEXT NOT NULL CHECK (kind IN ('section', 'orientation', 'action', 'commentaire')),
    -- For a `section`: `jeux_acteurs`, `dynamiques_projets`, or `libre` (a new free
    -- section titled `title`).
    section TEXT,
    orientation_id INTEGER REFERENCES orientations (id),
    action_id INTEGER REFERENCES actions (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- The partner's organisation when it proposed: the credit it keeps.
    organisation TEXT NOT NULL,
    author_id INTEGER NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('en_attente', 'acceptee', 'refusee')),
    -- Why it was declined (required then).
    reason TEXT,
    -- The text merged on acceptance (the moderator may have edited it).
    final_title TEXT,
    final_body TEXT,
    -- The orientation or action its acceptance created.
    result_orientation_id INTEGER REFERENCES orientations (id),
    result_action_id INTEGER REFERENCES actions (id),
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by INTEGER REFERENCES users (id)
);
CREATE INDEX partner_proposals_territory ON partner_proposals (territory, edition, status);
CREATE INDEX partner_proposals_author ON partner_proposals (author_id);
