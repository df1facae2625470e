-- The cluster's identity and the node registry. Ids and names compare as
-- bytes (COLLATE "C"), as in SQLite, whatever the database's locale: pages
-- and cursors depend on that order.
CREATE TABLE cluster (
  id TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  singleton BOOLEAN NOT NULL DEFAULT TRUE PRIMARY KEY CHECK (singleton)
);

CREATE TABLE nodes (
  id TEXT COLLATE "C" PRIMARY KEY,
  addresses TEXT[] NOT NULL,                -- host:port
  zone TEXT NOT NULL DEFAULT '',
  capacity_bytes BIGINT NOT NULL CHECK (capacity_bytes >= 0),
  capabilities JSONB NOT NULL DEFAULT '{}', -- object of strings
  version TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('active', 'suspect', 'dead', 'maintenance', 'draining',
                                       'decommissioned')),
  registered_at_ms BIGINT NOT NULL,
  last_heartbeat_ms BIGINT NOT NULL,
  storage_used BIGINT NOT NULL DEFAULT 0,
  storage_available BIGINT NOT NULL DEFAULT 0,
  chunks_stored BIGINT NOT NULL DEFAULT 0,
  bandwidth_up BIGINT NOT NULL DEFAULT 0,
  bandwidth_down BIGINT NOT NULL DEFAULT 0,
  cpu_usage DOUBLE PRECISION NOT NULL DEFAULT 0,
  memory_usage DOUBLE PRECISION NOT NULL DEFAULT 0,
  uptime_seconds BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX nodes_by_state ON nodes (state);
