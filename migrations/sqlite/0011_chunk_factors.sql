-- A chunk's replication factor is the highest of the files naming it now
-- (deleting the file that asked for more copies lowers it; a chunk no file
-- names keeps its last). Before this version a factor was only ever
-- raised: chunks whose higher-factor file was deleted are set right here.
UPDATE chunks SET replication_factor = (
  SELECT max(f.replication_factor) FROM file_chunks fc JOIN files f ON f.seq = fc.file
  WHERE fc.chunk = chunks.seq)
WHERE replication_factor <> coalesce((
  SELECT max(f.replication_factor) FROM file_chunks fc JOIN files f ON f.seq = fc.file
  WHERE fc.chunk = chunks.seq), replication_factor);
