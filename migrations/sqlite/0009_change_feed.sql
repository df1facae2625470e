-- PostgreSQL's change feed came in this version (triggers announcing
-- changed keys to other coordinators). One process writes an SQLite
-- database, so it has none; the version is recorded here so that both
-- backends keep one numbering of migrations.
SELECT 1;
