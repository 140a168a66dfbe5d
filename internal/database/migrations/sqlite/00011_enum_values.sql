-- +goose Up
-- A custom enum field's allowed values (crmlens field add --type enum
-- --values a,b,c): a JSON array of strings, in the order the admin gave.
-- NULL for every other type.
ALTER TABLE custom_fields ADD COLUMN enum_values TEXT NULL;

-- +goose Down
ALTER TABLE custom_fields DROP COLUMN enum_values;
