-- +goose Up
-- Integration keys are stored encrypted under the master key; a rotated-out
-- key stays valid until previous_key_expires_at. options holds each kind's
-- settings as JSON.
ALTER TABLE integrations ADD COLUMN previous_key VARCHAR(512) NOT NULL DEFAULT '';
ALTER TABLE integrations ADD COLUMN previous_key_expires_at DATETIME NULL;
ALTER TABLE integrations ADD COLUMN api_token VARCHAR(1024) NOT NULL DEFAULT '';
ALTER TABLE integrations ADD COLUMN options VARCHAR(4000) NOT NULL DEFAULT '{}';

-- Visitors identified by verified fields (ShareCRM) keep a display name and
-- the fields as JSON; their external_id is a hash of the fields.
ALTER TABLE visitors ADD COLUMN display_name VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE visitors ADD COLUMN claims VARCHAR(2000) NOT NULL DEFAULT '{}';

-- origin: 'import' for agents an admin declared, 'seen' for agents first met
-- on a session. "Require a known agent" accepts only the former.
ALTER TABLE agents ADD COLUMN origin VARCHAR(16) NOT NULL DEFAULT 'seen';
ALTER TABLE agents ADD COLUMN last_seen_at DATETIME NULL;

-- Single-use token ids (signed adapter): the unique key refuses a replay,
-- across every instance sharing the database.
CREATE TABLE used_tokens (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  integration_id BIGINT NOT NULL,
  jti VARCHAR(128) NOT NULL,
  expires_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_used_tokens_integration_jti ON used_tokens (integration_id, jti);
CREATE INDEX ix_used_tokens_expires ON used_tokens (expires_at);

CREATE TABLE admins (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  email VARCHAR(255) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_admins_email ON admins (email);

-- +goose Down
DROP TABLE admins;
DROP TABLE used_tokens;
ALTER TABLE agents DROP COLUMN last_seen_at;
ALTER TABLE agents DROP COLUMN origin;
ALTER TABLE visitors DROP COLUMN claims;
ALTER TABLE visitors DROP COLUMN display_name;
ALTER TABLE integrations DROP COLUMN options;
ALTER TABLE integrations DROP COLUMN api_token;
ALTER TABLE integrations DROP COLUMN previous_key_expires_at;
ALTER TABLE integrations DROP COLUMN previous_key;
