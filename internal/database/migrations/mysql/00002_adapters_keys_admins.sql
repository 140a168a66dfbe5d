-- +goose Up
-- Integration keys are stored encrypted under the master key; a rotated-out
-- key stays valid until previous_key_expires_at. options holds each kind's
-- settings as JSON.
ALTER TABLE integrations
  ADD COLUMN previous_key VARCHAR(512) NOT NULL DEFAULT '',
  ADD COLUMN previous_key_expires_at DATETIME(3) NULL,
  ADD COLUMN api_token VARCHAR(1024) NOT NULL DEFAULT '',
  ADD COLUMN options VARCHAR(4000) NOT NULL DEFAULT '{}';

-- Visitors identified by verified fields (ShareCRM) keep a display name and
-- the fields as JSON; their external_id is a hash of the fields.
ALTER TABLE visitors
  ADD COLUMN display_name VARCHAR(255) NOT NULL DEFAULT '',
  ADD COLUMN claims VARCHAR(2000) NOT NULL DEFAULT '{}';

-- origin: 'import' for agents an admin declared, 'seen' for agents first met
-- on a session. "Require a known agent" accepts only the former.
ALTER TABLE agents
  ADD COLUMN origin VARCHAR(16) NOT NULL DEFAULT 'seen',
  ADD COLUMN last_seen_at DATETIME(3) NULL;

-- Single-use token ids (signed adapter): the unique key refuses a replay,
-- across every instance sharing the database.
CREATE TABLE used_tokens (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  integration_id BIGINT NOT NULL,
  jti VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_used_tokens_integration_jti (integration_id, jti),
  KEY ix_used_tokens_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE admins (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(255) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_admins_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE admins;
DROP TABLE used_tokens;
ALTER TABLE agents DROP COLUMN last_seen_at, DROP COLUMN origin;
ALTER TABLE visitors DROP COLUMN claims, DROP COLUMN display_name;
ALTER TABLE integrations DROP COLUMN options, DROP COLUMN api_token, DROP COLUMN previous_key_expires_at, DROP COLUMN previous_key;
