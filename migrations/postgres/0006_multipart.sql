-- Multipart uploads of the object namespace: an upload names the object it
-- will complete as, and each of its parts is a complete, nameless file.
-- Completing an upload makes a new file from its parts' chunk lists (no byte
-- moves) and binds it to the key; aborting or expiring one deletes the
-- parts' files, whose chunks then go through the normal GC.
CREATE TABLE multipart_uploads (
  id TEXT COLLATE "C" PRIMARY KEY,          -- sorts in initiation order
  bucket TEXT COLLATE "C" NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  content_type TEXT NOT NULL DEFAULT '',
  metadata TEXT NOT NULL DEFAULT '{}',      -- JSON object: name -> value
  tags TEXT NOT NULL DEFAULT '{}',          -- JSON object: key -> value
  created_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL            -- abandoned uploads are dropped after this
);
CREATE INDEX multipart_uploads_by_key ON multipart_uploads (bucket, key, id);
CREATE INDEX multipart_uploads_by_expiry ON multipart_uploads (expires_at_ms);

CREATE TABLE multipart_parts (
  upload_id TEXT COLLATE "C" NOT NULL,
  part_number INTEGER NOT NULL,            -- 1..10000
  file_id TEXT COLLATE "C" NOT NULL,
  size BIGINT NOT NULL,
  etag TEXT NOT NULL,
  modified_at_ms BIGINT NOT NULL,
  PRIMARY KEY (upload_id, part_number)
);
CREATE UNIQUE INDEX multipart_parts_by_file ON multipart_parts (file_id);
