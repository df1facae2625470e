-- Lists of chunk ids are bound as bytea[] literals (PgByteaArray), which
-- the server decodes as it parses them: gale_unhex(), an SQL function the
-- planner could not inline, ran a sub-query per call (KnowsAnyChunk's
-- query, which has two lists, on an idle server: 0.52 ms with it, 0.17 ms
-- without). (On SQLite this version indexes only the flagged replicas;
-- PostgreSQL's index by state, on (state, updated_at_ms), serves the
-- orphan scan and stays.)
DROP FUNCTION gale_unhex(text[]);
