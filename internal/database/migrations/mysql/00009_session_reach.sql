-- +goose Up
-- What a sidebar session may link and read beyond its visitor's linked
-- contact: the candidates offered when it opened and the contacts its own
-- searches returned (internal/sidebar/reach.go). Rows outlive their session
-- token by a little and are then deleted.
CREATE TABLE reachable_contacts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  session_id VARCHAR(64) NOT NULL,
  visitor_id BIGINT NOT NULL,
  contact_id BIGINT NOT NULL,
  how VARCHAR(16) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_reachable_contacts (session_id, contact_id),
  KEY ix_reachable_contacts_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Searches, links and reveals counted per session and per agent and day,
-- shared by every instance, for the limits of internal/sidebar/reach.go.
CREATE TABLE action_counters (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  scope VARCHAR(191) NOT NULL,
  action VARCHAR(32) NOT NULL,
  n BIGINT NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_action_counters (scope, action),
  KEY ix_action_counters_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE action_counters;
DROP TABLE reachable_contacts;
