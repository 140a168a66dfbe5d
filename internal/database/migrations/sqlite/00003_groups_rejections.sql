-- +goose Up
CREATE TABLE agent_groups (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(128) NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_agent_groups_name ON agent_groups (name);

CREATE TABLE agent_group_members (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  agent_id BIGINT NOT NULL,
  group_id BIGINT NOT NULL,
  CONSTRAINT fk_agent_group_members_agent FOREIGN KEY (agent_id) REFERENCES agents (id) ON DELETE CASCADE,
  CONSTRAINT fk_agent_group_members_group FOREIGN KEY (group_id) REFERENCES agent_groups (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX uq_agent_group_members ON agent_group_members (agent_id, group_id);
CREATE INDEX ix_agent_group_members_group ON agent_group_members (group_id);

-- "Not this person": the contact is never matched to the visitor
-- automatically again.
CREATE TABLE visitor_rejections (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  visitor_id BIGINT NOT NULL,
  contact_id BIGINT NOT NULL,
  created_at DATETIME NOT NULL,
  CONSTRAINT fk_visitor_rejections_visitor FOREIGN KEY (visitor_id) REFERENCES visitors (id) ON DELETE CASCADE,
  CONSTRAINT fk_visitor_rejections_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX uq_visitor_rejections ON visitor_rejections (visitor_id, contact_id);

CREATE INDEX ix_audit_visitor ON audit_events (visitor_id, created_at);
CREATE INDEX ix_audit_actor ON audit_events (actor, created_at);

-- +goose Down
DROP INDEX ix_audit_actor;
DROP INDEX ix_audit_visitor;
DROP TABLE visitor_rejections;
DROP TABLE agent_group_members;
DROP TABLE agent_groups;
