-- +goose Up
CREATE TABLE accounts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  external_id VARCHAR(128) NOT NULL,
  name VARCHAR(255) NOT NULL,
  industry VARCHAR(128) NOT NULL DEFAULT '',
  tier VARCHAR(32) NOT NULL DEFAULT '',
  owner VARCHAR(128) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_accounts_external_id (external_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE contacts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  external_id VARCHAR(128) NOT NULL,
  account_id BIGINT NULL,
  name VARCHAR(255) NOT NULL,
  phone VARCHAR(64) NOT NULL DEFAULT '',
  email VARCHAR(255) NOT NULL DEFAULT '',
  title VARCHAR(128) NOT NULL DEFAULT '',
  owner VARCHAR(128) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_contacts_external_id (external_id),
  KEY ix_contacts_account (account_id),
  KEY ix_contacts_phone (phone),
  KEY ix_contacts_email (email),
  KEY ix_contacts_name (name),
  CONSTRAINT fk_contacts_account FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Platform ids are case-sensitive (WeChat openids): binary collation.
CREATE TABLE contact_identities (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  contact_id BIGINT NOT NULL,
  channel VARCHAR(32) NOT NULL,
  external_id VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  created_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_identities_channel_external (channel, external_id),
  KEY ix_identities_contact (contact_id),
  CONSTRAINT fk_identities_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE leads (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  external_id VARCHAR(128) NOT NULL,
  contact_id BIGINT NULL,
  title VARCHAR(255) NOT NULL,
  status VARCHAR(32) NOT NULL,
  source VARCHAR(64) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_leads_external_id (external_id),
  KEY ix_leads_contact_status (contact_id, status, created_at),
  CONSTRAINT fk_leads_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE tickets (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  external_id VARCHAR(128) NOT NULL,
  contact_id BIGINT NULL,
  subject VARCHAR(255) NOT NULL,
  status VARCHAR(32) NOT NULL,
  priority VARCHAR(16) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_tickets_external_id (external_id),
  KEY ix_tickets_contact_status (contact_id, status, created_at),
  CONSTRAINT fk_tickets_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  external_id VARCHAR(128) NOT NULL,
  contact_id BIGINT NULL,
  order_no VARCHAR(64) NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  status VARCHAR(32) NOT NULL,
  placed_at DATETIME(3) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_orders_external_id (external_id),
  KEY ix_orders_contact_placed (contact_id, placed_at),
  KEY ix_orders_order_no (order_no),
  CONSTRAINT fk_orders_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE integrations (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  slug VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  kind VARCHAR(16) NOT NULL,
  name VARCHAR(255) NOT NULL DEFAULT '',
  `key` VARCHAR(512) NOT NULL DEFAULT '',
  origins TEXT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_integrations_slug (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE visitors (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  integration_id BIGINT NOT NULL,
  channel VARCHAR(32) NOT NULL,
  external_id VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  contact_id BIGINT NULL,
  link_method VARCHAR(32) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  last_seen_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_visitors_integration_channel_external (integration_id, channel, external_id),
  KEY ix_visitors_contact (contact_id),
  CONSTRAINT fk_visitors_integration FOREIGN KEY (integration_id) REFERENCES integrations (id) ON DELETE CASCADE,
  CONSTRAINT fk_visitors_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE agents (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  platform VARCHAR(16) NOT NULL,
  platform_id VARCHAR(191) NOT NULL,
  email VARCHAR(255) NOT NULL DEFAULT '',
  name VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_agents_platform_id (platform, platform_id),
  KEY ix_agents_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE layouts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(128) NOT NULL,
  is_default BOOLEAN NOT NULL DEFAULT FALSE,
  scope TEXT NOT NULL,
  panels MEDIUMTEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_layouts_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE audit_events (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  action VARCHAR(32) NOT NULL,
  actor VARCHAR(255) NOT NULL DEFAULT '',
  integration_id BIGINT NULL,
  visitor_id BIGINT NULL,
  contact_id BIGINT NULL,
  request_id VARCHAR(64) NOT NULL DEFAULT '',
  detail TEXT NOT NULL,
  created_at DATETIME(3) NOT NULL,
  KEY ix_audit_created (created_at),
  KEY ix_audit_contact (contact_id, created_at),
  KEY ix_audit_action (action, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE signing_keys (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kid VARCHAR(32) NOT NULL,
  secret VARBINARY(64) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  UNIQUE KEY uq_signing_keys_kid (kid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

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
