-- E-mail confirmation of public contributions, and their anonymisation (issue 20).
-- A contribution is received « à confirmer » (`a_confirmer`): a link with a random
-- single-use token is e-mailed to its author; only the SHA-256 of the token is kept,
-- with its expiry. Following the link makes it `en_attente` (of moderation).
-- `anonymised_at` is set when the retention period or an erasure request removed its
-- author's name, e-mail and client address.

ALTER TABLE contributions DROP CONSTRAINT contributions_status_check;
ALTER TABLE contributions ADD CONSTRAINT contributions_status_check
    CHECK (status IN ('a_confirmer', 'en_attente', 'acceptee', 'refusee', 'spam'));
ALTER TABLE contributions ADD COLUMN confirm_token TEXT;
-- Unix seconds.
ALTER TABLE contributions ADD COLUMN confirm_expires_at BIGINT;
ALTER TABLE contributions ADD COLUMN confirmed_at TEXT;
ALTER TABLE contributions ADD COLUMN anonymised_at TEXT;
CREATE UNIQUE INDEX contributions_confirm_token ON contributions (confirm_token);
CREATE INDEX contributions_email ON contributions (email);
