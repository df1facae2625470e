-- The change feed (docs/DESIGN.md, "What lives in memory"): every change to
-- a row that coordinators keep in memory is announced on the channel
-- gale_changes by the transaction that makes it. PostgreSQL delivers
-- notifications at commit, in commit order, and folds identical ones of one
-- transaction into one. Each names a key that listeners re-read:
--   f:<file id>          the file or its chunk list
--   c:<chunk id>         the chunk's row (created or collected)
--   r:<chunk id>         the chunk's replicas (added, removed, state changed)
--   b:<bucket>           the bucket
--   o:<bucket>/<key>     the object (bucket names hold no '/')
-- Rewrites that change nothing a listener keeps (a replica's size or time
-- in a full report, a chunk's reference count) are not announced.

-- In a row trigger NEW is NULL for a DELETE and OLD for an INSERT.
CREATE FUNCTION gale_announce_file() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gale_changes', 'f:' || COALESCE(NEW.id, OLD.id));
  RETURN NULL;
END $$;
CREATE TRIGGER files_announce AFTER INSERT OR UPDATE OR DELETE ON files
  FOR EACH ROW EXECUTE FUNCTION gale_announce_file();

CREATE FUNCTION gale_announce_file_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gale_changes', 'f:' || COALESCE(NEW.file_id, OLD.file_id));
  RETURN NULL;
END $$;
CREATE TRIGGER file_chunks_announce AFTER INSERT OR UPDATE OR DELETE ON file_chunks
  FOR EACH ROW EXECUTE FUNCTION gale_announce_file_chunk();

CREATE FUNCTION gale_announce_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gale_changes', 'c:' || COALESCE(NEW.id, OLD.id));
  RETURN NULL;
END $$;
CREATE TRIGGER chunks_announce AFTER INSERT OR DELETE ON chunks
  FOR EACH ROW EXECUTE FUNCTION gale_announce_chunk();
CREATE TRIGGER chunks_announce_size AFTER UPDATE ON chunks
  FOR EACH ROW WHEN (OLD.size IS DISTINCT FROM NEW.size) EXECUTE FUNCTION gale_announce_chunk();

CREATE FUNCTION gale_announce_replica() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gale_changes', 'r:' || COALESCE(NEW.chunk_id, OLD.chunk_id));
  RETURN NULL;
END $$;
CREATE TRIGGER replicas_announce AFTER INSERT OR DELETE ON replicas
  FOR EACH ROW EXECUTE FUNCTION gale_announce_replica();
CREATE TRIGGER replicas_announce_state AFTER UPDATE ON replicas
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION gale_announce_replica();

CREATE FUNCTION gale_announce_bucket() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gale_changes', 'b:' || COALESCE(NEW.name, OLD.name));
  RETURN NULL;
END $$;
CREATE TRIGGER buckets_announce AFTER INSERT OR UPDATE OR DELETE ON buckets
  FOR EACH ROW EXECUTE FUNCTION gale_announce_bucket();

CREATE FUNCTION gale_announce_object() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gale_changes',
                    'o:' || COALESCE(NEW.bucket, OLD.bucket) || '/' || COALESCE(NEW.key, OLD.key));
  RETURN NULL;
END $$;
CREATE TRIGGER objects_announce AFTER INSERT OR UPDATE OR DELETE ON objects
  FOR EACH ROW EXECUTE FUNCTION gale_announce_object();
