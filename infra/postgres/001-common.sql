-- 001-common.sql: what every other script needs.
--
-- Applied in file-name order by PostgresSchema (src/PaletteCluster.Hosting/Postgres) or by hand with psql
-- (see README.md). Every statement is idempotent: running the whole set again changes nothing but the
-- query texts, which are replaced by the versions in these files.

-- The Orleans ADO.NET providers load their SQL from this table at start-up with the fixed statement
-- "SELECT QueryKey, QueryText FROM OrleansQuery". Unquoted identifiers fold to lower case in PostgreSQL,
-- so the table and its columns are spelled in lower case here.
CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) NOT NULL PRIMARY KEY,
    querytext text        NOT NULL
);

COMMENT ON TABLE orleansquery IS
    'SQL used by the Orleans ADO.NET providers, one row per query key; written by infra/postgres/*.sql';

-- Which of our scripts have been applied to this database, and when (ours, not Orleans'). One row per script;
-- re-applying a script refreshes its checksum and time.
CREATE TABLE IF NOT EXISTS palette_schema_version
(
    script     varchar(128) NOT NULL PRIMARY KEY,
    version    integer      NOT NULL,
    sha256     char(64)     NOT NULL,
    applied_at timestamptz  NOT NULL DEFAULT now()
);

COMMENT ON TABLE palette_schema_version IS
    'Scripts from infra/postgres applied to this database; version = the number the file name starts with';
