namespace Gatehouse.Accounts.Store;

/// <summary>
/// Schema versions in order; a database is brought forward one step at a time, never edited in place. SQLite and
/// PostgreSQL get the same tables; only the name of the 64-bit integer type differs (SQLite's INTEGER is 64-bit,
/// PostgreSQL's is 32-bit), how a key numbered by the database is written, and how a table is made to refuse UPDATE
/// and DELETE.
/// </summary>
internal static class AccountSchema
{
    /// <param name="appendOnly">SQL that makes the named table refuse UPDATE and DELETE (a trigger in either database).</param>
    public static IReadOnlyList<string> Migrations(string bigInteger, string numberedKey, Func<string, string> appendOnly) =>
    [
        """
        CREATE TABLE accounts (
            name TEXT NOT NULL PRIMARY KEY,
            password_hash TEXT NOT NULL,
            home_directory TEXT NOT NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            last_login_at TEXT NULL
        );
        """,
        $"""
        ALTER TABLE accounts ADD COLUMN source TEXT NOT NULL DEFAULT 'local';
        CREATE TABLE groups (
            name TEXT NOT NULL PRIMARY KEY,
            description TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE TABLE memberships (
            user_name TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
            group_name TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE,
            PRIMARY KEY (user_name, group_name)
        );
        CREATE TABLE settings (
            owner_kind TEXT NOT NULL,
            owner TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (owner_kind, owner, key)
        );
        CREATE TABLE folders (
            name TEXT NOT NULL PRIMARY KEY,
            path TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE mounts (
            folder TEXT NOT NULL REFERENCES folders(name) ON DELETE CASCADE,
            owner_kind TEXT NOT NULL,
            owner TEXT NOT NULL,
            virtual_path TEXT NOT NULL,
            read_only INTEGER NOT NULL,
            PRIMARY KEY (owner_kind, owner, virtual_path)
        );
        CREATE TABLE permissions (
            owner_kind TEXT NOT NULL,
            owner TEXT NOT NULL,
            virtual_path TEXT NOT NULL,
            permissions TEXT NOT NULL,
            PRIMARY KEY (owner_kind, owner, virtual_path)
        );
        CREATE TABLE usage (
            area TEXT NOT NULL PRIMARY KEY,
            bytes {bigInteger} NOT NULL,
            files {bigInteger} NOT NULL
        );
        CREATE TABLE bans (
            address TEXT NOT NULL PRIMARY KEY,
            banned_until TEXT NOT NULL,
            offences INTEGER NOT NULL,
            reason TEXT NOT NULL,
            last_offence_at TEXT NOT NULL
        );
        """,
        """
        CREATE TABLE cluster_nodes (
            id TEXT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            relay_endpoint TEXT NULL,
            started_at TEXT NOT NULL,
            heartbeat_at TEXT NOT NULL
        );
        CREATE TABLE cluster_sessions (
            id TEXT NOT NULL PRIMARY KEY,
            node_id TEXT NOT NULL,
            user_name TEXT NOT NULL,
            client_address TEXT NOT NULL,
            started_at TEXT NOT NULL
        );
        CREATE INDEX cluster_sessions_by_user ON cluster_sessions (user_name);
        CREATE TABLE passive_claims (
            port INTEGER NOT NULL,
            client_address TEXT NOT NULL,
            node_id TEXT NOT NULL,
            token TEXT NOT NULL,
            claimed_at TEXT NOT NULL,
            PRIMARY KEY (port, client_address)
        );
        """,
        """
        CREATE TABLE account_failures (
            id TEXT NOT NULL PRIMARY KEY,
            account TEXT NOT NULL,
            address TEXT NOT NULL,
            failed_at TEXT NOT NULL
        );
        CREATE INDEX account_failures_by_account ON account_failures (account, failed_at);
        CREATE INDEX account_failures_by_time ON account_failures (failed_at);
        """,
        "ALTER TABLE cluster_nodes ADD COLUMN relay_key TEXT NULL;",
        $"""
        CREATE TABLE event_rules (
            name TEXT NOT NULL PRIMARY KEY,
            event TEXT NOT NULL,
            definition TEXT NOT NULL,
            enabled INTEGER NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE event_deliveries (
            -- Never reused, even after old rows are pruned: receivers drop duplicates by this number.
            id {numberedKey},
            rule_name TEXT NOT NULL,
            event TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            steps_done INTEGER NOT NULL DEFAULT 0,
            queued_at TEXT NOT NULL,
            next_attempt_at TEXT NOT NULL,
            claimed_by TEXT NULL,
            lease_until TEXT NULL,
            finished_at TEXT NULL,
            outcome TEXT NULL
        );
        CREATE INDEX event_deliveries_queue ON event_deliveries (state, rule_name, id);
        CREATE TABLE event_schedule_runs (
            rule_name TEXT NOT NULL,
            occurrence TEXT NOT NULL,
            node TEXT NOT NULL,
            PRIMARY KEY (rule_name, occurrence)
        );
        """,
        $"""
        CREATE TABLE administrators (
            name TEXT NOT NULL PRIMARY KEY,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE api_keys (
            name TEXT NOT NULL PRIMARY KEY,
            key_hash TEXT NOT NULL UNIQUE,
            scope TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NULL
        );
        CREATE TABLE audit_log (
            sequence {bigInteger} NOT NULL PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            origin TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            before_value TEXT NULL,
            after_value TEXT NULL,
            previous_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        {appendOnly("audit_log")}
        """,
        // API keys limited to some users and the members of some groups: comma-separated names, empty for every user.
        """
        ALTER TABLE api_keys ADD COLUMN users TEXT NOT NULL DEFAULT '';
        ALTER TABLE api_keys ADD COLUMN groups TEXT NOT NULL DEFAULT '';
        """,
        $"""
        ALTER TABLE administrators ADD COLUMN totp_secret TEXT NULL;
        ALTER TABLE administrators ADD COLUMN totp_last_step {bigInteger} NULL;
        ALTER TABLE administrators ADD COLUMN failed_passwords INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE administrators ADD COLUMN failed_codes INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE administrators ADD COLUMN locked_until TEXT NULL;
        CREATE TABLE admin_recovery_codes (
            administrator TEXT NOT NULL,
            code_hash TEXT NOT NULL,
            PRIMARY KEY (administrator, code_hash)
        );
        """,
        // Each delivery names its event: an event queued again from a node's journal after a crash is not queued twice.
        """
        ALTER TABLE event_deliveries ADD COLUMN event_id TEXT NULL;
        CREATE UNIQUE INDEX event_deliveries_event ON event_deliveries (event_id, rule_name);
        """,
    ];
}
