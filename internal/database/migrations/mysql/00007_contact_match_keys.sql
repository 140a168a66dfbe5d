-- +goose Up
-- The forms of phone and email that matching and search compare
-- (internal/matchkey): E.164 phones, lower-cased e-mails. The values as
-- written stay in phone and email for the sidebar. Binary collation: the
-- forms are already normalized, so equality is exact on both engines.
-- Migration 00008 (Go, internal/database/matchkeys.go) fills them for rows
-- that existed before.
ALTER TABLE contacts
  ADD COLUMN phone_match VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '',
  ADD COLUMN email_match VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '',
  ADD KEY ix_contacts_phone_match (phone_match),
  ADD KEY ix_contacts_email_match (email_match);

-- +goose Down
ALTER TABLE contacts
  DROP KEY ix_contacts_email_match,
  DROP KEY ix_contacts_phone_match,
  DROP COLUMN email_match,
  DROP COLUMN phone_match;
