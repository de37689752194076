/// The database schema and its migrations. `PRAGMA user_version` holds the version of the file;
/// opening runs every migration above it in one transaction, so a later VoiceGate adds a step to
/// `migrations` and old files catch up. A file newer than this code is refused, not guessed at.
///
/// Times are integer milliseconds since 1970-01-01 UTC. Variables and turn data are JSON
/// objects as text (keys sorted). Enumerations are their Swift raw values, without CHECK
/// constraints, so that a later version can add a state without rebuilding the table.
enum Schema {
    /// migrations[n] takes a file from version n to n + 1.
    static let migrations: [String] = [
        // 0 -> 1: conversations and their turns.
        """
        CREATE TABLE conversations (
            id              TEXT PRIMARY KEY NOT NULL,
            state           TEXT NOT NULL,
            outcome         TEXT,
            end_reason      TEXT,
            started_at      INTEGER NOT NULL,
            ended_at        INTEGER,
            bot             TEXT,
            queue           TEXT,
            agent           TEXT,
            trunk           TEXT NOT NULL,
            sip_call_id     TEXT NOT NULL,
            caller_withheld INTEGER NOT NULL,
            variables       TEXT NOT NULL DEFAULT '{}'
        );
        -- The admin API lists newest first, all or by state; restart recovery finds the open ones.
        CREATE INDEX conversations_newest ON conversations (started_at DESC, id DESC);
        CREATE INDEX conversations_by_state_newest ON conversations (state, started_at DESC, id DESC);

        -- seq numbers the turns of one conversation from 1; the primary key keeps a transcript
        -- together in its index, read in one range scan.
        CREATE TABLE turns (
            conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
            seq             INTEGER NOT NULL,
            at              INTEGER NOT NULL,
            from_party      TEXT NOT NULL,
            kind            TEXT NOT NULL,
            text            TEXT NOT NULL,
            data            TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (conversation_id, seq)
        );
        """,
        // 1 -> 2: the transfer audit. No foreign key to conversations: an audit row outlives
        // whatever happens to the conversation it names.
        """
        CREATE TABLE transfer_attempts (
            id              TEXT PRIMARY KEY NOT NULL,
            at              INTEGER NOT NULL,
            conversation_id TEXT NOT NULL,
            from_number     TEXT NOT NULL,
            target          TEXT NOT NULL,
            normalized      TEXT,
            decision        TEXT NOT NULL,
            reason          TEXT,
            detail          TEXT NOT NULL,
            requested_by    TEXT NOT NULL,
            result          TEXT,
            result_reason   TEXT,
            method          TEXT,
            finished_at     INTEGER
        );
        CREATE INDEX transfer_attempts_by_conversation ON transfer_attempts (conversation_id, at);
        -- The hourly limit and fraud reviews read by organization number and time.
        CREATE INDEX transfer_attempts_by_number ON transfer_attempts (from_number, at);
        """,
        // 2 -> 3: routing state. Queue entries and segments belong to their conversation (the
        // foreign key refuses them for an unknown one, and they go when it goes); presence is
        // one row per agent, the latest.
        """
        -- One wait of a conversation in one queue. result: served, abandoned, overflowed, moved,
        -- tookByBot, interrupted; agent: the agent or bot id that took it.
        CREATE TABLE queue_entries (
            id               TEXT PRIMARY KEY NOT NULL,
            conversation_id  TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
            queue            TEXT NOT NULL,
            entered_at       INTEGER NOT NULL,
            left_at          INTEGER,
            result           TEXT,
            agent            TEXT,
            wait_ms          INTEGER,
            initial_position INTEGER NOT NULL
        );
        CREATE INDEX queue_entries_by_conversation ON queue_entries (conversation_id, entered_at);
        -- Who waits now, per queue, oldest first; small, since only open entries are in it.
        CREATE INDEX queue_entries_open_by_queue ON queue_entries (queue, entered_at) WHERE left_at IS NULL;

        -- reason: api, missedOffers, wrapUp, ...
        CREATE TABLE agent_presence (
            agent_id   TEXT PRIMARY KEY NOT NULL,
            presence   TEXT NOT NULL,
            changed_at INTEGER NOT NULL,
            reason     TEXT NOT NULL
        );

        -- kind: bot, waiting, agent; party: the bot id, queue name or agent id. seq numbers the
        -- segments of one conversation from 1; at most one (the last) is open.
        CREATE TABLE conversation_segments (
            conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
            seq             INTEGER NOT NULL,
            kind            TEXT NOT NULL,
            party           TEXT NOT NULL,
            started_at      INTEGER NOT NULL,
            ended_at        INTEGER,
            PRIMARY KEY (conversation_id, seq)
        );
        -- Restart recovery finds the open ones.
        CREATE INDEX conversation_segments_open ON conversation_segments (conversation_id) WHERE ended_at IS NULL;
        """,
        // 3 -> 4: sentiment and the dialed number, for the supervisor's live view and the
        // historical figures. A turn's score is kept with it; the conversation keeps the running
        // sum, count and recent (weighted) score, so neither the live view nor the figures
        // re-read transcripts. The dialed number gets a column of its own (it was only inside
        // the variables' JSON) because figures group by it; old rows are filled from the JSON.
        """
        ALTER TABLE turns ADD COLUMN sentiment REAL;
        ALTER TABLE conversations ADD COLUMN sentiment_turns INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE conversations ADD COLUMN sentiment_sum REAL NOT NULL DEFAULT 0;
        ALTER TABLE conversations ADD COLUMN sentiment_recent REAL;
        ALTER TABLE conversations ADD COLUMN organization_number TEXT;
        UPDATE conversations SET organization_number = json_extract(variables, '$."bot.OrganizationPhoneNumber"')
            WHERE json_valid(variables);
        """,
    ]

    static var version: Int { migrations.count }

    /// Brings the file to `version`. BEGIN IMMEDIATE takes the write lock before reading the
    /// version, so two processes opening a new file at once do not both create the tables.
    static func migrate(_ db: SQLiteConnection) throws {
        try db.execute("BEGIN IMMEDIATE", "begin schema migration")
        do {
            let found = Int(try db.pragma("user_version") ?? "0") ?? 0
            guard found <= version else {
                throw StoreError(code: .error, message: "the file has schema version \(found); this VoiceGate knows up to \(version)",
                                 operation: "open the conversation store")
            }
            for step in found..<version {
                try db.executeScript(migrations[step], "migrate the schema to version \(step + 1)")
            }
            if found < version { _ = try db.pragma("user_version", set: String(version)) }
            try db.execute("COMMIT", "commit schema migration")
        } catch {
            if db.isInTransaction { try? db.execute("ROLLBACK", "roll back schema migration") }
            throw error
        }
    }
}
