-- +goose Up
-- An admin can disable an integration (crmlens integration disable): its
-- sidebar then refuses new sessions with integration_disabled until it is
-- enabled again. NULL: enabled.
ALTER TABLE integrations ADD COLUMN disabled_at DATETIME(3) NULL;

-- +goose Down
ALTER TABLE integrations DROP COLUMN disabled_at;
