-- +goose Up
-- Tokens of the machines that call crmlens's service API (crmlens token
-- create; internal/servicetoken): a CRM pushing its records to
-- /api/v1/sync. Only the SHA-256 of a token is kept, as 64 hex digits; the
-- token itself is shown once, when it is created. scope is what the token
-- may do ("sync"). last_used_at is written at most once a minute per token;
-- revoked_at NULL: the token works.
CREATE TABLE service_tokens (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  scope VARCHAR(16) NOT NULL,
  token_hash CHAR(64) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  last_used_at DATETIME(3) NULL,
  revoked_at DATETIME(3) NULL,
  UNIQUE KEY uq_service_tokens_name (name),
  UNIQUE KEY uq_service_tokens_hash (token_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE service_tokens;
