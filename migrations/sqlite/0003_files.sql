-- Files, their chunks (content-addressed, reference counted), and the task
-- ledger of orders for nodes.
CREATE TABLE files (
  id TEXT PRIMARY KEY,
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
-- Names are unique among live (complete) files.
CREATE UNIQUE INDEX files_live_name ON files (name) WHERE state = 'complete';
CREATE INDEX files_by_time ON files (committed_at_ms, id) WHERE state = 'complete';
CREATE INDEX files_pending_expiry ON files (expires_at_ms) WHERE state = 'pending';

CREATE TABLE chunks (
  id TEXT PRIMARY KEY,                      -- lowercase hex SHA-256
  size INTEGER NOT NULL,
  refcount INTEGER NOT NULL,                -- file_chunks rows naming it
  created_at_ms INTEGER NOT NULL,
  unreferenced_since_ms INTEGER             -- set when refcount reaches 0
);
CREATE INDEX chunks_unreferenced ON chunks (unreferenced_since_ms) WHERE refcount = 0;

CREATE TABLE file_chunks (
  file_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  chunk_id TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (file_id, idx)
);
CREATE INDEX file_chunks_by_chunk ON file_chunks (chunk_id);

CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,                       -- replicate | delete | verify
  chunk_id TEXT NOT NULL,
  node_id TEXT NOT NULL,                    -- the node that carries it out
  sources TEXT NOT NULL DEFAULT '[]',       -- JSON array of node ids (replicate)
  state TEXT NOT NULL,                      -- pending | assigned | done | failed
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL,
  not_before_ms INTEGER NOT NULL DEFAULT 0, -- back-off before the next attempt
  deadline_ms INTEGER NOT NULL DEFAULT 0,   -- when assigned: retry after this
  error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tasks_by_node ON tasks (node_id, state);
CREATE INDEX tasks_by_chunk ON tasks (chunk_id, state);
CREATE INDEX tasks_by_state ON tasks (state, deadline_ms);
