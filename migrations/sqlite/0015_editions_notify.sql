-- Twin of migrations/postgres/0015_editions_notify.sql, which makes PostgreSQL
-- announce every change of the editions (src/db/stamp.rs). SQLite has no
-- notifications and needs none: its servers read the editions' stamp in process.
SELECT 1;
