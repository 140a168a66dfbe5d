-- +goose Up
-- Live sources (crmlens source apply): a company's own MySQL/MariaDB database
-- whose tables or views crmlens objects are mapped onto and read at view
-- time. spec is the applied YAML without its url; url_sealed is an inline
-- url sealed with the keyring ("" when the spec names url_env).
CREATE TABLE sources (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  spec TEXT NOT NULL,
  url_sealed TEXT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_sources_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE sources;
