-- Every change of the editions is announced on the channel `ess_atlas_editions`
-- (src/db/stamp.rs; issue 18): while a server hears it, the editions' stamp that keys
-- its kept public answers stays in memory instead of being read on every request.
-- One notification per statement (PostgreSQL folds equal ones of a transaction and
-- delivers them at its commit); TRUNCATE included.
CREATE FUNCTION notify_editions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ess_atlas_editions', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER editions_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON editions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_editions_changed();
