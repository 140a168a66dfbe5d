-- +goose Up
CREATE TABLE agent_groups (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(128) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_agent_groups_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE agent_group_members (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  agent_id BIGINT NOT NULL,
  group_id BIGINT NOT NULL,
  UNIQUE KEY uq_agent_group_members (agent_id, group_id),
  KEY ix_agent_group_members_group (group_id),
  CONSTRAINT fk_agent_group_members_agent FOREIGN KEY (agent_id) REFERENCES agents (id) ON DELETE CASCADE,
  CONSTRAINT fk_agent_group_members_group FOREIGN KEY (group_id) REFERENCES agent_groups (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- "Not this person": the contact is never matched to the visitor
-- automatically again.
CREATE TABLE visitor_rejections (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  visitor_id BIGINT NOT NULL,
  contact_id BIGINT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_visitor_rejections (visitor_id, contact_id),
  CONSTRAINT fk_visitor_rejections_visitor FOREIGN KEY (visitor_id) REFERENCES visitors (id) ON DELETE CASCADE,
  CONSTRAINT fk_visitor_rejections_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Audit filters by visitor and actor.
CREATE INDEX ix_audit_visitor ON audit_events (visitor_id, created_at);
CREATE INDEX ix_audit_actor ON audit_events (actor, created_at);

-- +goose Down
DROP INDEX ix_audit_actor ON audit_events;
DROP INDEX ix_audit_visitor ON audit_events;
DROP TABLE visitor_rejections;
DROP TABLE agent_group_members;
DROP TABLE agent_groups;
