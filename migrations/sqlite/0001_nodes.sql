-- The cluster's identity and the node registry.
CREATE TABLE cluster (
  id TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  singleton INTEGER NOT NULL DEFAULT 1 PRIMARY KEY CHECK (singleton = 1)
);

CREATE TABLE nodes (
  id TEXT PRIMARY KEY,
  addresses TEXT NOT NULL,                  -- JSON array of host:port
  zone TEXT NOT NULL DEFAULT '',
  capacity_bytes INTEGER NOT NULL CHECK (capacity_bytes >= 0),
  capabilities TEXT NOT NULL DEFAULT '{}',  -- JSON object of strings
  version TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  registered_at_ms INTEGER NOT NULL,
  last_heartbeat_ms INTEGER NOT NULL,
  storage_used INTEGER NOT NULL DEFAULT 0,
  storage_available INTEGER NOT NULL DEFAULT 0,
  chunks_stored INTEGER NOT NULL DEFAULT 0,
  bandwidth_up INTEGER NOT NULL DEFAULT 0,
  bandwidth_down INTEGER NOT NULL DEFAULT 0,
  cpu_usage REAL NOT NULL DEFAULT 0,
  memory_usage REAL NOT NULL DEFAULT 0,
  uptime_seconds INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX nodes_by_state ON nodes (state);
