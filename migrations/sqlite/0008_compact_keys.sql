-- Compact keys. Chunks, files and nodes get integer keys, and the tables
-- with a row per chunk of a file (file_chunks) or per copy (replicas) refer
-- to them: a new file's rows are appended in key order instead of being
-- spread over the tables' pages by random 64-character ids, so a commit
-- writes a fraction of the pages it did, and the database is several times
-- smaller. Chunk ids are kept as their 32 bytes (unhex() and lower_hex() are
-- the coordinator's own SQL functions). The store's interface is unchanged.

-- Every node id a replica names, registered or not.
CREATE TABLE node_keys (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE
);
INSERT INTO node_keys (id) SELECT id FROM nodes UNION SELECT node_id FROM replicas;

-- Every chunk id the coordinator knows, from files or from nodes' reports.
-- A chunk known only from reports (copies left on a node, no file ever
-- referenced it here) has no size of its own: refcount IS NULL.
CREATE TABLE chunks_v8 (
  seq INTEGER PRIMARY KEY,
  id BLOB NOT NULL UNIQUE,                  -- the SHA-256, 32 bytes
  size INTEGER,
  refcount INTEGER,                         -- file_chunks rows naming it
  created_at_ms INTEGER,
  unreferenced_since_ms INTEGER,            -- set when refcount reaches 0
  replication_factor INTEGER NOT NULL DEFAULT 0
);
INSERT INTO chunks_v8 (id, size, refcount, created_at_ms, unreferenced_since_ms,
                       replication_factor)
  SELECT unhex(id), size, refcount, created_at_ms, unreferenced_since_ms, replication_factor
  FROM chunks ORDER BY created_at_ms, id;
INSERT INTO chunks_v8 (id)
  SELECT DISTINCT unhex(chunk_id) FROM replicas WHERE chunk_id NOT IN (SELECT id FROM chunks);

CREATE TABLE files_v8 (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,                    -- -1 while unknown (a pending stream)
  sha256 TEXT NOT NULL DEFAULT '',          -- of the whole file, set at commit
  chunk_size INTEGER NOT NULL,
  replication_factor INTEGER NOT NULL,
  write_mode TEXT NOT NULL,                 -- sync | quorum | async
  state TEXT NOT NULL,                      -- pending | complete
  overwrite INTEGER NOT NULL DEFAULT 0,
  auto_commit INTEGER NOT NULL DEFAULT 0,   -- registered through ZephyrFS's REST API
  owner TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,           -- pending uploads are dropped after this
  committed_at_ms INTEGER NOT NULL DEFAULT 0,
  last_accessed_ms INTEGER NOT NULL
);
INSERT INTO files_v8 (id, name, size, sha256, chunk_size, replication_factor, write_mode, state,
                      overwrite, auto_commit, owner, created_at_ms, expires_at_ms,
                      committed_at_ms, last_accessed_ms)
  SELECT id, name, size, sha256, chunk_size, replication_factor, write_mode, state, overwrite,
         auto_commit, owner, created_at_ms, expires_at_ms, committed_at_ms, last_accessed_ms
  FROM files ORDER BY created_at_ms, id;

CREATE TABLE file_chunks_v8 (
  file INTEGER NOT NULL,                    -- files.seq
  idx INTEGER NOT NULL,
  chunk INTEGER NOT NULL,                   -- chunks.seq
  size INTEGER NOT NULL,
  PRIMARY KEY (file, idx)
) WITHOUT ROWID;
INSERT INTO file_chunks_v8 (file, idx, chunk, size)
  SELECT f.seq, fc.idx, c.seq, fc.size FROM file_chunks fc
  JOIN files_v8 f ON f.id = fc.file_id JOIN chunks_v8 c ON c.id = unhex(fc.chunk_id);

CREATE TABLE replicas_v8 (
  chunk INTEGER NOT NULL,                   -- chunks.seq
  node INTEGER NOT NULL,                    -- node_keys.seq
  size INTEGER NOT NULL CHECK (size >= 0),
  state TEXT NOT NULL,                      -- stored | corrupt | deleting
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (chunk, node)
) WITHOUT ROWID;
INSERT INTO replicas_v8 (chunk, node, size, state, updated_at_ms)
  SELECT c.seq, n.seq, r.size, r.state, r.updated_at_ms FROM replicas r
  JOIN chunks_v8 c ON c.id = unhex(r.chunk_id) JOIN node_keys n ON n.id = r.node_id;

DROP TABLE replicas;
DROP TABLE file_chunks;
DROP TABLE chunks;
DROP TABLE files;
ALTER TABLE chunks_v8 RENAME TO chunks;
ALTER TABLE files_v8 RENAME TO files;
ALTER TABLE file_chunks_v8 RENAME TO file_chunks;
ALTER TABLE replicas_v8 RENAME TO replicas;

CREATE INDEX chunks_unreferenced ON chunks (unreferenced_since_ms) WHERE refcount = 0;
CREATE INDEX chunks_unknown ON chunks (seq) WHERE refcount IS NULL;
CREATE UNIQUE INDEX files_live_name ON files (name) WHERE state = 'complete' AND name <> '';
CREATE INDEX files_by_time ON files (committed_at_ms, id) WHERE state = 'complete';
CREATE INDEX files_pending_expiry ON files (expires_at_ms) WHERE state = 'pending';
CREATE INDEX file_chunks_by_chunk ON file_chunks (chunk);
CREATE INDEX replicas_by_node ON replicas (node);
CREATE INDEX replicas_by_state ON replicas (state);
