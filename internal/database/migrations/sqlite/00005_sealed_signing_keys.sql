-- +goose Up
-- Session signing keys are stored sealed with the master key from now on
-- (see the MySQL migration); SQLite's BLOB column holds them as it is. This
-- migration keeps both dialects at the same version.
SELECT 1;

-- +goose Down
SELECT 1;
