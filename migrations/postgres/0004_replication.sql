-- Self-healing: each chunk's target replica count, and task timings for the
-- repair rate.
ALTER TABLE chunks ADD COLUMN replication_factor INTEGER NOT NULL DEFAULT 0;
UPDATE chunks SET replication_factor = coalesce(
  (SELECT max(f.replication_factor) FROM file_chunks fc JOIN files f ON f.id = fc.file_id
   WHERE fc.chunk_id = chunks.id), 0);

ALTER TABLE tasks ADD COLUMN finished_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN size BIGINT NOT NULL DEFAULT 0;  -- bytes a replicate task moves
CREATE INDEX tasks_open ON tasks (state, kind) WHERE state IN ('pending', 'assigned');
-- Finished tasks: the repair rate, recent failures and pruning.
CREATE INDEX tasks_finished ON tasks (finished_at_ms) WHERE state IN ('done', 'failed');
-- Corrupt replicas are counted, stored ones scanned by age for orphans.
CREATE INDEX replicas_by_state ON replicas (state, updated_at_ms);
