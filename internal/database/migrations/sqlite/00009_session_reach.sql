-- +goose Up
-- What a sidebar session may link and read beyond its visitor's linked
-- contact: the candidates offered when it opened and the contacts its own
-- searches returned (internal/sidebar/reach.go). Rows outlive their session
-- token by a little and are then deleted.
CREATE TABLE reachable_contacts (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  session_id VARCHAR(64) NOT NULL,
  visitor_id BIGINT NOT NULL,
  contact_id BIGINT NOT NULL,
  how VARCHAR(16) NOT NULL,
  expires_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_reachable_contacts ON reachable_contacts (session_id, contact_id);
CREATE INDEX ix_reachable_contacts_expires ON reachable_contacts (expires_at);

-- Searches, links and reveals counted per session and per agent and day,
-- shared by every instance, for the limits of internal/sidebar/reach.go.
CREATE TABLE action_counters (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  scope VARCHAR(191) NOT NULL,
  action VARCHAR(32) NOT NULL,
  n BIGINT NOT NULL,
  expires_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_action_counters ON action_counters (scope, action);
CREATE INDEX ix_action_counters_expires ON action_counters (expires_at);

-- +goose Down
DROP TABLE action_counters;
DROP TABLE reachable_contacts;
