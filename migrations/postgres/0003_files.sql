-- Files, their chunks (content-addressed, reference counted), and the task
-- ledger of orders for nodes.
CREATE TABLE files (
  id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT COLLATE "C" NOT NULL,
  size BIGINT NOT NULL,                     -- -1 while unknown (a pending stream)
  sha256 TEXT NOT NULL DEFAULT '',          -- of the whole file, set at commit
  chunk_size BIGINT NOT NULL,
  replication_factor INTEGER NOT NULL,
  write_mode TEXT NOT NULL CHECK (write_mode IN ('sync', 'quorum', 'async')),
  state TEXT NOT NULL CHECK (state IN ('pending', 'complete')),
  overwrite BOOLEAN NOT NULL DEFAULT FALSE,
  auto_commit BOOLEAN NOT NULL DEFAULT FALSE,  -- registered through ZephyrFS's REST API
  owner TEXT NOT NULL DEFAULT '',
  created_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,            -- pending uploads are dropped after this
  committed_at_ms BIGINT NOT NULL DEFAULT 0,
  last_accessed_ms BIGINT NOT NULL
);
-- Names are unique among live (complete) files; the index also serves
-- listings by name and prefix.
CREATE UNIQUE INDEX files_live_name ON files (name) WHERE state = 'complete';
CREATE INDEX files_by_time ON files (committed_at_ms, id) WHERE state = 'complete';
CREATE INDEX files_pending_expiry ON files (expires_at_ms) WHERE state = 'pending';

CREATE TABLE chunks (
  id TEXT COLLATE "C" PRIMARY KEY,          -- lowercase hex SHA-256
  size BIGINT NOT NULL,
  refcount BIGINT NOT NULL,                 -- file_chunks rows naming it
  created_at_ms BIGINT NOT NULL,
  unreferenced_since_ms BIGINT              -- set when refcount reaches 0
);
CREATE INDEX chunks_unreferenced ON chunks (unreferenced_since_ms) WHERE refcount = 0;

CREATE TABLE file_chunks (
  file_id TEXT COLLATE "C" NOT NULL,
  idx BIGINT NOT NULL,
  chunk_id TEXT COLLATE "C" NOT NULL,
  size BIGINT NOT NULL,
  PRIMARY KEY (file_id, idx)
);
CREATE INDEX file_chunks_by_chunk ON file_chunks (chunk_id, file_id);

CREATE TABLE tasks (
  id TEXT COLLATE "C" PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('replicate', 'delete', 'verify')),
  chunk_id TEXT COLLATE "C" NOT NULL,
  node_id TEXT COLLATE "C" NOT NULL,        -- the node that carries it out
  sources TEXT[] NOT NULL DEFAULT '{}',     -- node ids (replicate)
  state TEXT NOT NULL CHECK (state IN ('pending', 'assigned', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at_ms BIGINT NOT NULL,
  not_before_ms BIGINT NOT NULL DEFAULT 0,  -- back-off before the next attempt
  deadline_ms BIGINT NOT NULL DEFAULT 0,    -- when assigned: retry after this
  error TEXT NOT NULL DEFAULT ''
);
-- A node's pending tasks in the order they are handed out.
CREATE INDEX tasks_by_node ON tasks (node_id, state, created_at_ms);
CREATE INDEX tasks_by_chunk ON tasks (chunk_id, state);
CREATE INDEX tasks_by_state ON tasks (state, deadline_ms);
