-- Tables and queries for Orleans' ADO.NET clustering and grain persistence on PostgreSQL (invariant "Npgsql").
-- Orleans reads its queries by key from OrleansQuery and binds parameters and result columns by name, so the keys,
-- the @parameters and the returned column names below are the providers' contract; the bodies are this project's.
-- Writes that must be all-or-nothing are functions: an exception inside rolls the function's work back.

CREATE TABLE OrleansQuery
(
    QueryKey varchar(64) NOT NULL PRIMARY KEY,
    QueryText varchar(8000) NOT NULL
);

-- Membership: one version row per deployment, bumped by every membership change, and one row per silo incarnation.
CREATE TABLE OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL PRIMARY KEY,
    Timestamp timestamptz(3) NOT NULL DEFAULT now(),
    Version integer NOT NULL DEFAULT 0
);

CREATE TABLE OrleansMembershipTable
(
    DeploymentId varchar(150) NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId),
    Address varchar(45) NOT NULL,
    Port integer NOT NULL,
    Generation integer NOT NULL,
    SiloName varchar(150) NOT NULL,
    HostName varchar(150) NOT NULL,
    Status integer NOT NULL,
    ProxyPort integer NULL,
    SuspectTimes varchar(8000) NULL,
    StartTime timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

-- Bumps the version when the caller saw the current one; 1 on success, 0 when another writer got there first.
CREATE FUNCTION fme_bump_membership_version(deployment varchar, seen integer) RETURNS integer AS $$
DECLARE bumped integer;
BEGIN
    UPDATE OrleansMembershipVersionTable SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = deployment AND Version = seen;
    GET DIAGNOSTICS bumped = ROW_COUNT;
    RETURN bumped;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION fme_insert_membership(deployment varchar, address_ varchar, port_ integer, generation_ integer,
    silo_name varchar, host_name varchar, status_ integer, proxy_port integer, start_time timestamptz,
    alive_time timestamptz, seen_version integer) RETURNS integer AS $$
DECLARE inserted integer;
BEGIN
    IF fme_bump_membership_version(deployment, seen_version) = 0 THEN
        RETURN 0;
    END IF;
    INSERT INTO OrleansMembershipTable (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES (deployment, address_, port_, generation_, silo_name, host_name, status_, proxy_port, start_time, alive_time)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    IF inserted = 0 THEN
        -- The silo row exists already: undo the version bump by failing the whole call.
        RAISE EXCEPTION 'membership row exists' USING ERRCODE = 'unique_violation';
    END IF;
    RETURN 1;
EXCEPTION WHEN unique_violation THEN
    RETURN 0;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION fme_update_membership(deployment varchar, address_ varchar, port_ integer, generation_ integer,
    status_ integer, suspect_times varchar, alive_time timestamptz, seen_version integer) RETURNS integer AS $$
DECLARE updated integer;
BEGIN
    IF fme_bump_membership_version(deployment, seen_version) = 0 THEN
        RETURN 0;
    END IF;
    UPDATE OrleansMembershipTable SET Status = status_, SuspectTimes = suspect_times, IAmAliveTime = alive_time
    WHERE DeploymentId = deployment AND Address = address_ AND Port = port_ AND Generation = generation_;
    GET DIAGNOSTICS updated = ROW_COUNT;
    IF updated = 0 THEN
        RAISE EXCEPTION 'no membership row' USING ERRCODE = 'no_data_found';
    END IF;
    RETURN 1;
EXCEPTION WHEN no_data_found THEN
    RETURN 0;
END
$$ LANGUAGE plpgsql;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('UpdateIAmAlivetimeKey', 'UPDATE OrleansMembershipTable SET IAmAliveTime = @IAmAliveTime
    WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;'),
('InsertMembershipVersionKey', 'WITH added AS (INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES (@DeploymentId)
    ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*)::integer FROM added;'),
('InsertMembershipKey', 'SELECT fme_insert_membership(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
    @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version);'),
('UpdateMembershipKey', 'SELECT fme_update_membership(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
    @IAmAliveTime, @Version);'),
('MembershipReadRowKey', 'SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
    m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
    FROM OrleansMembershipVersionTable v LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
        AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
    WHERE v.DeploymentId = @DeploymentId;'),
('MembershipReadAllKey', 'SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
    m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
    FROM OrleansMembershipVersionTable v LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
    WHERE v.DeploymentId = @DeploymentId;'),
('DeleteMembershipTableEntriesKey', 'DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
    DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;'),
('GatewaysQueryKey', 'SELECT Address, ProxyPort, Generation FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;'),
('CleanupDefunctSiloEntriesKey', 'DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime AND Status <> 3;');

-- Grain state: one row per grain and service, versioned for optimistic concurrency (the version is the ETag). The
-- provider writes the serialized state as @PayloadBinary; the JSON and XML columns are read back but stay empty.
CREATE TABLE Storage
(
    GrainIdHash integer NOT NULL,
    GrainIdN0 bigint NOT NULL,
    GrainIdN1 bigint NOT NULL,
    GrainTypeHash integer NOT NULL,
    GrainTypeString varchar(512) NOT NULL,
    GrainIdExtensionString varchar(512) NULL,
    ServiceId varchar(150) NOT NULL,
    PayloadBinary bytea NULL,
    PayloadXml xml NULL,
    PayloadJson jsonb NULL,
    ModifiedOn timestamp NOT NULL,
    Version integer NULL
);

CREATE INDEX Storage_GrainId ON Storage (GrainIdHash, GrainTypeHash);

-- Writes a state: inserts the first version when none was read (null version), else updates the version read.
-- Returns the new version, or the given one unchanged when another writer won (Orleans then reports a conflict).
CREATE FUNCTION fme_write_storage(id_hash integer, id_n0 bigint, id_n1 bigint, type_hash integer, type_string varchar,
    id_extension varchar, service varchar, seen_version integer, binary_ bytea)
    RETURNS TABLE (NewGrainStateVersion integer) AS $$
DECLARE written integer;
BEGIN
    IF seen_version IS NULL THEN
        -- Serialise first writes of one grain so that only one of two racing inserts succeeds.
        PERFORM pg_advisory_xact_lock(id_hash);
        INSERT INTO Storage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
            ServiceId, PayloadBinary, ModifiedOn, Version)
        SELECT id_hash, id_n0, id_n1, type_hash, type_string, id_extension, service, binary_, now() AT TIME ZONE 'utc', 1
        WHERE NOT EXISTS (SELECT 1 FROM Storage s WHERE s.GrainIdHash = id_hash AND s.GrainTypeHash = type_hash
            AND s.GrainIdN0 = id_n0 AND s.GrainIdN1 = id_n1 AND s.GrainTypeString = type_string
            AND s.GrainIdExtensionString IS NOT DISTINCT FROM id_extension AND s.ServiceId = service);
        GET DIAGNOSTICS written = ROW_COUNT;
        RETURN QUERY SELECT CASE WHEN written > 0 THEN 1 ELSE NULL::integer END;
    ELSE
        UPDATE Storage s SET PayloadBinary = binary_,
            ModifiedOn = now() AT TIME ZONE 'utc', Version = s.Version + 1
        WHERE s.GrainIdHash = id_hash AND s.GrainTypeHash = type_hash AND s.GrainIdN0 = id_n0 AND s.GrainIdN1 = id_n1
            AND s.GrainTypeString = type_string AND s.GrainIdExtensionString IS NOT DISTINCT FROM id_extension
            AND s.ServiceId = service AND s.Version = seen_version;
        GET DIAGNOSTICS written = ROW_COUNT;
        RETURN QUERY SELECT CASE WHEN written > 0 THEN seen_version + 1 ELSE seen_version END;
    END IF;
END
$$ LANGUAGE plpgsql;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('WriteToStorageKey', 'SELECT * FROM fme_write_storage(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
    @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary);'),
('ReadFromStorageKey', 'SELECT PayloadBinary, PayloadXml, PayloadJson, now() AT TIME ZONE ''utc'', Version FROM Storage
    WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
        AND GrainTypeString = @GrainTypeString AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
        AND ServiceId = @ServiceId;'),
('ClearStorageKey', 'UPDATE Storage SET PayloadBinary = NULL, PayloadJson = NULL, PayloadXml = NULL, Version = Version + 1
    WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
        AND GrainTypeString = @GrainTypeString AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
        AND ServiceId = @ServiceId AND Version = @GrainStateVersion
    RETURNING Version AS NewGrainStateVersion;'),
('DeleteStorageKey', 'DELETE FROM Storage
    WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
        AND GrainTypeString = @GrainTypeString AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
        AND ServiceId = @ServiceId AND Version = @GrainStateVersion;');
