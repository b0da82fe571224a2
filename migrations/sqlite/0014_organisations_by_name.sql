-- The organisations' list of an edition, in its order (name, then SIRET): a page walks
-- this index and stops, instead of sorting every establishment of the edition
-- (src/db/organisations.rs, `order_by`; issue 18).
CREATE INDEX establishments_by_name ON establishments (edition, name, siret);
