-- +goose Up
-- Live sources (crmlens source apply): a company's own MySQL/MariaDB database
-- whose tables or views crmlens objects are mapped onto and read at view
-- time. spec is the applied YAML without its url; url_sealed is an inline
-- url sealed with the keyring ("" when the spec names url_env).
CREATE TABLE sources (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(64) NOT NULL,
  spec TEXT NOT NULL,
  url_sealed TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_sources_name ON sources (name);

-- +goose Down
DROP TABLE sources;
