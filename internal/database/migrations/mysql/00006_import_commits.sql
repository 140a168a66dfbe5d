-- +goose Up
-- An import that writes a contact file's identities on a second connection
-- (internal/importer, xa.go) records here, in its main transaction, that
-- the transaction committed: a prepared identities branch left behind by a
-- crash is committed if its row is here and rolled back if not.
CREATE TABLE import_commits (
  xid VARCHAR(64) NOT NULL PRIMARY KEY,
  created_at DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE import_commits;
