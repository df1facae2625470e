-- Which node holds which chunk, as the nodes report it.
CREATE TABLE replicas (
  chunk_id TEXT COLLATE "C" NOT NULL,
  node_id TEXT COLLATE "C" NOT NULL,
  size BIGINT NOT NULL CHECK (size >= 0),
  state TEXT NOT NULL CHECK (state IN ('stored', 'deleting', 'corrupt')),
  updated_at_ms BIGINT NOT NULL,
  PRIMARY KEY (chunk_id, node_id)
);

-- A node's replicas in chunk order: its pages, counts and full reports.
CREATE INDEX replicas_by_node ON replicas (node_id, chunk_id);
