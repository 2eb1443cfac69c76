-- 003-persistence.sql: grain state for Orleans.Persistence.AdoNet (the "palette" storage).
--
-- Contract (Orleans 10.4.2, invariant "Npgsql"). Every query receives the grain's identity:
--   @ServiceId, @GrainTypeString (the state name given to [PersistentState], NOT the grain class),
--   @GrainIdN0 / @GrainIdN1 (bigint halves of a Guid key, or 0 / the integer key), @GrainIdExtensionString
--   (the string key, or the key extension, or NULL), plus two int hashes (@GrainIdHash, @GrainTypeHash) that
--   we accept but do not store: the unique key below serves the lookups.
-- ETag semantics: the ETag is the row's integer version. Writes and clears carry the version the grain last
-- saw (@GrainStateVersion, NULL when it has never seen a row) and must return the NEW version, or NULL when
-- the stored version differs; the provider turns NULL into an InconsistentStateException.

CREATE TABLE IF NOT EXISTS orleans_grain_state
(
    service_id  text        NOT NULL,
    state_name  text        NOT NULL,
    grain_id_n0 bigint      NOT NULL,
    grain_id_n1 bigint      NOT NULL,
    -- The string key or key extension; '' stands for "none" so that a plain unique index can serve lookups.
    grain_key   text        NOT NULL DEFAULT '',
    -- NULL after a clear: the row (and its version) stays so that stale writers are still detected.
    payload     bytea       NULL,
    version     integer     NOT NULL,
    modified_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleans_grain_state_identity UNIQUE (service_id, state_name, grain_id_n0, grain_id_n1, grain_key)
);

-- Stores a new payload. First write (p_read_version NULL): inserts version 1, or returns NULL when another
-- activation got there first. Later writes: replaces the payload only if the version still matches.
CREATE OR REPLACE FUNCTION orleans_grain_state_write(
    p_service_id   text,
    p_state_name   text,
    p_n0           bigint,
    p_n1           bigint,
    p_key          text,
    p_read_version integer,
    p_payload      bytea)
RETURNS integer
LANGUAGE plpgsql AS
$body$
DECLARE
    new_version integer;
BEGIN
    IF p_read_version IS NULL THEN
        INSERT INTO orleans_grain_state (service_id, state_name, grain_id_n0, grain_id_n1, grain_key, payload, version)
        VALUES (p_service_id, p_state_name, p_n0, p_n1, coalesce(p_key, ''), p_payload, 1)
        ON CONFLICT ON CONSTRAINT orleans_grain_state_identity DO NOTHING
        RETURNING version INTO new_version;
    ELSE
        UPDATE orleans_grain_state
        SET payload = p_payload,
            -- wraps to 1 instead of overflowing after 2^31 - 1 writes
            version = CASE WHEN version = 2147483647 THEN 1 ELSE version + 1 END,
            modified_at = now()
        WHERE service_id = p_service_id AND state_name = p_state_name
          AND grain_id_n0 = p_n0 AND grain_id_n1 = p_n1 AND grain_key = coalesce(p_key, '')
          AND version = p_read_version
        RETURNING version INTO new_version;
    END IF;
    RETURN new_version;
END
$body$;

-- Clears the payload but keeps the row and advances its version (ClearStateAsync with DeleteStateOnClear=false).
CREATE OR REPLACE FUNCTION orleans_grain_state_clear(
    p_service_id   text,
    p_state_name   text,
    p_n0           bigint,
    p_n1           bigint,
    p_key          text,
    p_read_version integer)
RETURNS integer
LANGUAGE sql AS
$body$
    UPDATE orleans_grain_state
    SET payload = NULL,
        version = CASE WHEN version = 2147483647 THEN 1 ELSE version + 1 END,
        modified_at = now()
    WHERE service_id = p_service_id AND state_name = p_state_name
      AND grain_id_n0 = p_n0 AND grain_id_n1 = p_n1 AND grain_key = coalesce(p_key, '')
      AND version = p_read_version
    RETURNING version;
$body$;

-- Deletes the row (ClearStateAsync with DeleteStateOnClear=true). Returns the version after the one deleted,
-- as the provider only checks that a value came back and differs from the one it sent.
CREATE OR REPLACE FUNCTION orleans_grain_state_delete(
    p_service_id   text,
    p_state_name   text,
    p_n0           bigint,
    p_n1           bigint,
    p_key          text,
    p_read_version integer)
RETURNS integer
LANGUAGE sql AS
$body$
    DELETE FROM orleans_grain_state
    WHERE service_id = p_service_id AND state_name = p_state_name
      AND grain_id_n0 = p_n0 AND grain_id_n1 = p_n1 AND grain_key = coalesce(p_key, '')
      AND version = p_read_version
    RETURNING version + 1;
$body$;

INSERT INTO orleansquery (querykey, querytext) VALUES

-- No row: the grain starts from a new state object with no ETag. Columns are read by name.
('ReadFromStorageKey', $q$
SELECT payload AS "PayloadBinary", version AS "Version"
FROM orleans_grain_state
WHERE service_id = @ServiceId AND state_name = @GrainTypeString
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_key = coalesce(@GrainIdExtensionString, '');
$q$),

('WriteToStorageKey', $q$
SELECT orleans_grain_state_write(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString,
                                 @GrainStateVersion, @PayloadBinary) AS "NewGrainStateVersion";
$q$),

('ClearStorageKey', $q$
SELECT orleans_grain_state_clear(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString,
                                 @GrainStateVersion) AS "NewGrainStateVersion";
$q$),

('DeleteStorageKey', $q$
SELECT orleans_grain_state_delete(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString,
                                  @GrainStateVersion) AS "NewGrainStateVersion";
$q$)

ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
