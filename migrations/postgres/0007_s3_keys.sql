-- S3 access keys that gale-s3 gateways accept besides the ones in their
-- configuration, created and deleted with `gale s3 keys`. The secret is
-- stored encrypted (AES-256-GCM under the coordinator's master key, which
-- never enters the database): "v1:<master key fingerprint>:<hex of nonce,
-- ciphertext and tag>".
CREATE TABLE s3_keys (
  access_key_id TEXT COLLATE "C" PRIMARY KEY,
  secret_encrypted TEXT NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  read_only BOOLEAN NOT NULL DEFAULT FALSE,
  buckets TEXT NOT NULL DEFAULT '[]',       -- JSON array of names; empty: every bucket
  created_at_ms BIGINT NOT NULL
);
