-- +goose Up
-- Fields an admin adds to an object; their values live in each record's
-- custom JSON object, keyed by field_key.
CREATE TABLE custom_fields (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  object VARCHAR(16) NOT NULL,
  field_key VARCHAR(64) NOT NULL,
  label_zh VARCHAR(128) NOT NULL,
  label_en VARCHAR(128) NOT NULL,
  type VARCHAR(16) NOT NULL,
  retired BOOLEAN NOT NULL DEFAULT FALSE,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_custom_fields_object_key ON custom_fields (object, field_key);

ALTER TABLE accounts ADD COLUMN custom TEXT NULL;
ALTER TABLE contacts ADD COLUMN custom TEXT NULL;
ALTER TABLE leads ADD COLUMN custom TEXT NULL;
ALTER TABLE tickets ADD COLUMN custom TEXT NULL;
ALTER TABLE orders ADD COLUMN custom TEXT NULL;

-- +goose Down
ALTER TABLE orders DROP COLUMN custom;
ALTER TABLE tickets DROP COLUMN custom;
ALTER TABLE leads DROP COLUMN custom;
ALTER TABLE contacts DROP COLUMN custom;
ALTER TABLE accounts DROP COLUMN custom;
DROP TABLE custom_fields;
