-- Compendium generations (« recueils ») started by staff (issue 7). In the database,
-- not in a server's memory, so that behind a load balancer any instance reports the
-- progress of, and serves the PDF of, a generation another instance runs.
CREATE TABLE compendium_jobs (
    -- 32 random hex digits
    id TEXT PRIMARY KEY,
    edition INTEGER NOT NULL REFERENCES editions (year) ON DELETE CASCADE,
    -- running | done | failed
    status TEXT NOT NULL,
    done INTEGER NOT NULL,
    total INTEGER NOT NULL,
    error TEXT,
    pdf BLOB,
    started_by TEXT NOT NULL,
    -- AAAA-MM-JJTHH:MM:SSZ, written by the server
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
