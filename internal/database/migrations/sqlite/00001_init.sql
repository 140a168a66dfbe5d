-- +goose Up
CREATE TABLE accounts (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  external_id VARCHAR(128) NOT NULL,
  name VARCHAR(255) NOT NULL,
  industry VARCHAR(128) NOT NULL DEFAULT '',
  tier VARCHAR(32) NOT NULL DEFAULT '',
  owner VARCHAR(128) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_accounts_external_id ON accounts (external_id);

CREATE TABLE contacts (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  external_id VARCHAR(128) NOT NULL,
  account_id BIGINT NULL,
  name VARCHAR(255) NOT NULL,
  phone VARCHAR(64) NOT NULL DEFAULT '',
  email VARCHAR(255) NOT NULL DEFAULT '',
  title VARCHAR(128) NOT NULL DEFAULT '',
  owner VARCHAR(128) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  CONSTRAINT fk_contacts_account FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX uq_contacts_external_id ON contacts (external_id);
CREATE INDEX ix_contacts_account ON contacts (account_id);
CREATE INDEX ix_contacts_phone ON contacts (phone);
CREATE INDEX ix_contacts_email ON contacts (email);
CREATE INDEX ix_contacts_name ON contacts (name);

-- SQLite compares text case-sensitively by default, as platform ids need.
CREATE TABLE contact_identities (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  contact_id BIGINT NOT NULL,
  channel VARCHAR(32) NOT NULL,
  external_id VARCHAR(191) NOT NULL,
  created_at DATETIME NOT NULL,
  CONSTRAINT fk_identities_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX uq_identities_channel_external ON contact_identities (channel, external_id);
CREATE INDEX ix_identities_contact ON contact_identities (contact_id);

CREATE TABLE leads (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  external_id VARCHAR(128) NOT NULL,
  contact_id BIGINT NULL,
  title VARCHAR(255) NOT NULL,
  status VARCHAR(32) NOT NULL,
  source VARCHAR(64) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  CONSTRAINT fk_leads_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX uq_leads_external_id ON leads (external_id);
CREATE INDEX ix_leads_contact_status ON leads (contact_id, status, created_at);

CREATE TABLE tickets (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  external_id VARCHAR(128) NOT NULL,
  contact_id BIGINT NULL,
  subject VARCHAR(255) NOT NULL,
  status VARCHAR(32) NOT NULL,
  priority VARCHAR(16) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  CONSTRAINT fk_tickets_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX uq_tickets_external_id ON tickets (external_id);
CREATE INDEX ix_tickets_contact_status ON tickets (contact_id, status, created_at);

CREATE TABLE orders (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  external_id VARCHAR(128) NOT NULL,
  contact_id BIGINT NULL,
  order_no VARCHAR(64) NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  status VARCHAR(32) NOT NULL,
  placed_at DATETIME NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  CONSTRAINT fk_orders_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX uq_orders_external_id ON orders (external_id);
CREATE INDEX ix_orders_contact_placed ON orders (contact_id, placed_at);
CREATE INDEX ix_orders_order_no ON orders (order_no);

CREATE TABLE integrations (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  slug VARCHAR(64) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  name VARCHAR(255) NOT NULL DEFAULT '',
  "key" VARCHAR(512) NOT NULL DEFAULT '',
  origins TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_integrations_slug ON integrations (slug);

CREATE TABLE visitors (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  integration_id BIGINT NOT NULL,
  channel VARCHAR(32) NOT NULL,
  external_id VARCHAR(191) NOT NULL,
  contact_id BIGINT NULL,
  link_method VARCHAR(32) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  last_seen_at DATETIME NOT NULL,
  CONSTRAINT fk_visitors_integration FOREIGN KEY (integration_id) REFERENCES integrations (id) ON DELETE CASCADE,
  CONSTRAINT fk_visitors_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX uq_visitors_integration_channel_external ON visitors (integration_id, channel, external_id);
CREATE INDEX ix_visitors_contact ON visitors (contact_id);

CREATE TABLE agents (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  platform VARCHAR(16) NOT NULL,
  platform_id VARCHAR(191) NOT NULL,
  email VARCHAR(255) NOT NULL DEFAULT '',
  name VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_agents_platform_id ON agents (platform, platform_id);
CREATE INDEX ix_agents_email ON agents (email);

CREATE TABLE layouts (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(128) NOT NULL,
  is_default BOOLEAN NOT NULL DEFAULT FALSE,
  scope TEXT NOT NULL,
  panels TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_layouts_name ON layouts (name);

CREATE TABLE audit_events (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  action VARCHAR(32) NOT NULL,
  actor VARCHAR(255) NOT NULL DEFAULT '',
  integration_id BIGINT NULL,
  visitor_id BIGINT NULL,
  contact_id BIGINT NULL,
  request_id VARCHAR(64) NOT NULL DEFAULT '',
  detail TEXT NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX ix_audit_created ON audit_events (created_at);
CREATE INDEX ix_audit_contact ON audit_events (contact_id, created_at);
CREATE INDEX ix_audit_action ON audit_events (action, created_at);

CREATE TABLE signing_keys (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  kid VARCHAR(32) NOT NULL,
  secret BLOB NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_signing_keys_kid ON signing_keys (kid);

-- +goose Down
DROP TABLE signing_keys;
DROP TABLE audit_events;
DROP TABLE layouts;
DROP TABLE agents;
DROP TABLE visitors;
DROP TABLE integrations;
DROP TABLE orders;
DROP TABLE tickets;
DROP TABLE leads;
DROP TABLE contact_identities;
DROP TABLE contacts;
DROP TABLE accounts;
