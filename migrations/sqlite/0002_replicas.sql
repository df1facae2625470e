-- Which node holds which chunk, as the nodes report it.
CREATE TABLE replicas (
  chunk_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size >= 0),
  state TEXT NOT NULL,  -- stored (later: pending, corrupt, lost)
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (chunk_id, node_id)
);

CREATE INDEX replicas_by_node ON replicas (node_id);
