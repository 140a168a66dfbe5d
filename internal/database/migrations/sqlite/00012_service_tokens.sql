-- +goose Up
-- Tokens of the machines that call crmlens's service API (crmlens token
-- create; internal/servicetoken): a CRM pushing its records to
-- /api/v1/sync. Only the SHA-256 of a token is kept, as 64 hex digits; the
-- token itself is shown once, when it is created. scope is what the token
-- may do ("sync"). last_used_at is written at most once a minute per token;
-- revoked_at NULL: the token works.
CREATE TABLE service_tokens (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(64) NOT NULL,
  scope VARCHAR(16) NOT NULL,
  token_hash CHAR(64) NOT NULL,
  created_at DATETIME NOT NULL,
  last_used_at DATETIME NULL,
  revoked_at DATETIME NULL
);
CREATE UNIQUE INDEX uq_service_tokens_name ON service_tokens (name);
CREATE UNIQUE INDEX uq_service_tokens_hash ON service_tokens (token_hash);

-- +goose Down
DROP TABLE service_tokens;
