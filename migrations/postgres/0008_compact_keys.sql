-- Compact keys came to SQLite in this version (integer keys for chunks,
-- files and nodes; 32-byte chunk ids). PostgreSQL keeps its text keys for
-- now; the version is recorded here so that both backends keep one
-- numbering of migrations.
SELECT 1;
