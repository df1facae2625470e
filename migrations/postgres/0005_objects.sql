-- The object namespace (what the S3 gateway serves): buckets, and objects
-- naming a bucket and a key, each pointing to the complete file that holds
-- its bytes. Object files have no name of their own (''), so they stay out
-- of the file namespace: its uniqueness and its listings skip them.
DROP INDEX files_live_name;
CREATE UNIQUE INDEX files_live_name ON files (name) WHERE state = 'complete' AND name <> '';

CREATE TABLE buckets (
  name TEXT COLLATE "C" PRIMARY KEY,
  owner TEXT NOT NULL DEFAULT '',
  created_at_ms BIGINT NOT NULL
);

-- Keys compare as bytes (COLLATE "C"), the order S3 lists in.
CREATE TABLE objects (
  bucket TEXT COLLATE "C" NOT NULL REFERENCES buckets (name),
  key TEXT COLLATE "C" NOT NULL,
  file_id TEXT COLLATE "C" NOT NULL,
  size BIGINT NOT NULL,
  etag TEXT NOT NULL,
  content_type TEXT NOT NULL DEFAULT '',
  metadata TEXT NOT NULL DEFAULT '{}',      -- JSON object: name -> value
  tags TEXT NOT NULL DEFAULT '{}',          -- JSON object: key -> value
  modified_at_ms BIGINT NOT NULL,
  PRIMARY KEY (bucket, key)
);
CREATE UNIQUE INDEX objects_by_file ON objects (file_id);
