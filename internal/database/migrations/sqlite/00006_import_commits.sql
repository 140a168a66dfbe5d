-- +goose Up
-- Used on MySQL/MariaDB only (see the mysql migration); kept here so that
-- both schemas have the same tables.
CREATE TABLE import_commits (
  xid VARCHAR(64) NOT NULL PRIMARY KEY,
  created_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE import_commits;
