-- A chunk's replication factor is the highest of the files naming it now
-- (deleting the file that asked for more copies lowers it; a chunk no file
-- names keeps its last). Before this version a factor was only ever
-- raised: chunks whose higher-factor file was deleted are set right here.
UPDATE chunks c SET replication_factor = m.factor
FROM (SELECT fc.chunk_id, max(f.replication_factor) AS factor FROM file_chunks fc
      JOIN files f ON f.id = fc.file_id GROUP BY fc.chunk_id) m
WHERE m.chunk_id = c.id AND c.replication_factor <> m.factor;
