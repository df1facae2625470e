-- Chunk ids as their 32 bytes instead of 64 hex characters: chunks,
-- replicas and file chunks (and every index on them) take half the room.
-- The store speaks hex: it decodes what it binds (decode($1, 'hex'),
-- gale_unhex($1::text[])) and encodes what it reads (encode(id, 'hex')).
-- Tasks keep text ids, as on SQLite. Rows whose id is not 64 hex digits
-- (none the APIs let in) could not be converted: they are dropped.

CREATE FUNCTION gale_unhex(text[]) RETURNS bytea[] LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT coalesce(array_agg(decode(x, 'hex')), '{}') FROM unnest($1) AS x
$$;

DELETE FROM replicas WHERE chunk_id !~ '^[0-9a-f]{64}$';
DELETE FROM file_chunks WHERE chunk_id !~ '^[0-9a-f]{64}$';
DELETE FROM chunks WHERE id !~ '^[0-9a-f]{64}$';
ALTER TABLE chunks ALTER COLUMN id TYPE bytea USING decode(id, 'hex');
ALTER TABLE replicas ALTER COLUMN chunk_id TYPE bytea USING decode(chunk_id, 'hex');
ALTER TABLE file_chunks ALTER COLUMN chunk_id TYPE bytea USING decode(chunk_id, 'hex');

-- The change feed announces hex ids, as before.
CREATE OR REPLACE FUNCTION gale_announce_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gale_changes', 'c:' || encode(COALESCE(NEW.id, OLD.id), 'hex'));
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION gale_announce_replica() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('gale_changes', 'r:' || encode(COALESCE(NEW.chunk_id, OLD.chunk_id), 'hex'));
  RETURN NULL;
END $$;
