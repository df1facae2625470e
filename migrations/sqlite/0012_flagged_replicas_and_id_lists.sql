-- Nearly every replica is 'stored': an index over every replica's state
-- held an entry per copy (18 bytes a copy, a sixth of the database in the
-- metadata bench) for queries that look for the few flagged ones (corrupt,
-- being deleted). Only those are indexed now; a query names the index's
-- condition, state <> 'stored', so that SQLite uses it. (On PostgreSQL
-- this version drops a function that lists of chunk ids no longer go
-- through.)
DROP INDEX replicas_by_state;
CREATE INDEX replicas_flagged ON replicas (state) WHERE state <> 'stored';
