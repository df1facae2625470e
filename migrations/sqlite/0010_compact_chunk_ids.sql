-- PostgreSQL's chunk ids became 32-byte values in this version; SQLite's
-- did in 0008. The version is recorded here so that both backends keep one
-- numbering of migrations.
SELECT 1;
