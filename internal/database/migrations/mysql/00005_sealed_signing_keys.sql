-- +goose Up
-- Session signing keys are stored sealed with the master key ("v1:" and
-- base64 of nonce, ciphertext and tag: about 100 bytes), no longer raw.
-- crmlens seals a raw key in place when it first reads it.
ALTER TABLE signing_keys MODIFY secret VARBINARY(255) NOT NULL;

-- +goose Down
-- Fails (data too long) while sealed keys are stored, rather than cut them.
ALTER TABLE signing_keys MODIFY secret VARBINARY(64) NOT NULL;
