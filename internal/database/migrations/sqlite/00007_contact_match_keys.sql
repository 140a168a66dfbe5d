-- +goose Up
-- The forms of phone and email that matching and search compare
-- (internal/matchkey): E.164 phones, lower-cased e-mails. The values as
-- written stay in phone and email for the sidebar. Migration 00008 (Go,
-- internal/database/matchkeys.go) fills them for rows that existed before.
ALTER TABLE contacts ADD COLUMN phone_match VARCHAR(64) NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN email_match VARCHAR(255) NOT NULL DEFAULT '';
CREATE INDEX ix_contacts_phone_match ON contacts (phone_match);
CREATE INDEX ix_contacts_email_match ON contacts (email_match);

-- +goose Down
DROP INDEX ix_contacts_email_match;
DROP INDEX ix_contacts_phone_match;
ALTER TABLE contacts DROP COLUMN email_match;
ALTER TABLE contacts DROP COLUMN phone_match;
