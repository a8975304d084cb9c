internal import RegieCore

/// The database schema, created on first use and checked on every open.
enum Schema {
    static let version = "11"

    /// The responsible municipality of a case, as its index and the lists read it: nil for details that are not
    /// JSON, so that a damaged row stays writable and readable (and reported as damaged when it is decoded).
    static let municipalityExpression =
        "(CASE WHEN json_valid(details) THEN json_extract(details, '$.municipality') END)"

    static let sql = """
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS workflow_versions(
            name TEXT NOT NULL, version INTEGER NOT NULL, definition TEXT NOT NULL, stored_at INTEGER NOT NULL,
            PRIMARY KEY(name, version)) WITHOUT ROWID;
        -- The log is appended at its end (rowid order is commit order). Each case's events form a chain through
        -- prev_id, from cases.last_event_id back to the opening event, instead of a per-case index whose random
        -- pages every append would rewrite. commit() guards the per-case sequence in the same transaction.
        -- Each event is sealed (hash) over the seal of its case's event before it, its content and the digest of the
        -- case's state after it (state); see EventSeal. A purged case leaves a tombstone with its last seal.
        CREATE TABLE IF NOT EXISTS events(
            id INTEGER PRIMARY KEY, case_id TEXT NOT NULL, seq INTEGER NOT NULL, prev_id INTEGER, at INTEGER NOT NULL,
            event TEXT NOT NULL, actor_partner TEXT NOT NULL, actor_person TEXT, actor_role TEXT NOT NULL,
            payload TEXT NOT NULL, hash TEXT, state TEXT);
        CREATE TRIGGER IF NOT EXISTS events_append_only_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS events_append_only_delete BEFORE DELETE ON events
            WHEN NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.case_id = OLD.case_id)
            BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
        CREATE TABLE IF NOT EXISTS tombstones(
            case_id TEXT PRIMARY KEY, workflow TEXT NOT NULL, events INTEGER NOT NULL, last_hash TEXT,
            closed_at INTEGER, purged_at INTEGER NOT NULL, reason TEXT NOT NULL) WITHOUT ROWID;
        CREATE TRIGGER IF NOT EXISTS tombstones_append_only_update BEFORE UPDATE ON tombstones
            BEGIN SELECT RAISE(ABORT, 'tombstones are append-only'); END;
        CREATE TRIGGER IF NOT EXISTS tombstones_append_only_delete BEFORE DELETE ON tombstones
            BEGIN SELECT RAISE(ABORT, 'tombstones are append-only'); END;
        CREATE TABLE IF NOT EXISTS legal_holds(
            case_id TEXT PRIMARY KEY, reason TEXT NOT NULL, by TEXT NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS cases(
            id TEXT PRIMARY KEY, workflow TEXT NOT NULL, version INTEGER NOT NULL, state TEXT NOT NULL,
            regie_partner TEXT NOT NULL CHECK(regie_partner <> ''), regie_contact TEXT, participants TEXT NOT NULL,
            level INTEGER NOT NULL CHECK(level BETWEEN 0 AND 3), client_key TEXT, suspended_at INTEGER,
            seq INTEGER NOT NULL, opened_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
            last_activity_at INTEGER NOT NULL, closed_at INTEGER, details TEXT, last_event_id INTEGER, last_hash TEXT)
            WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS cases_open ON cases(closed_at, state, level);
        CREATE INDEX IF NOT EXISTS cases_client ON cases(client_key) WHERE client_key IS NOT NULL;
        -- Who a partner's lists start from (CaseStore.cases): the cases it takes part in, the escalated ones, and
        -- those of the municipalities it is responsible for, each found by an index instead of reading every case.
        CREATE INDEX IF NOT EXISTS cases_escalated ON cases(level, closed_at) WHERE level > 0;
        CREATE INDEX IF NOT EXISTS cases_municipality ON cases(\(municipalityExpression));
        -- Every partner of a case (the regiehouder and every participant, in any role).
        CREATE TABLE IF NOT EXISTS case_partners(
            partner TEXT NOT NULL, case_id TEXT NOT NULL, PRIMARY KEY(partner, case_id)) WITHOUT ROWID;
        -- The monitor: how many facts of each kind (see MonitorFact) happened per month, workflow and responsible
        -- municipality; days is a duration in working days, or -1 for a count. Kept in each commit's transaction.
        CREATE TABLE IF NOT EXISTS monitor(
            month INTEGER NOT NULL, workflow TEXT NOT NULL, municipality TEXT NOT NULL, figure TEXT NOT NULL,
            category TEXT NOT NULL, days INTEGER NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY(month, workflow, municipality, figure, category, days)) WITHOUT ROWID;
        -- Every client of a case by pseudonym (a household has several), so a lookup finds it by any of them.
        CREATE TABLE IF NOT EXISTS case_clients(
            client_key TEXT NOT NULL, case_id TEXT NOT NULL, member TEXT NOT NULL,
            PRIMARY KEY(client_key, case_id, member)) WITHOUT ROWID;
        -- A timer is paused while paused_at is set; owner_level is the escalation level that owns it (0: the
        -- regiehouder); subject names the partner of one instance of a timer (an opdracht's carrier).
        CREATE TABLE IF NOT EXISTS timers(
            id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
            event TEXT NOT NULL, due_at INTEGER NOT NULL, started_at INTEGER NOT NULL, owner_state TEXT,
            owner_level INTEGER NOT NULL DEFAULT 0, subject TEXT, paused_at INTEGER);
        CREATE INDEX IF NOT EXISTS timers_due_at ON timers(due_at) WHERE paused_at IS NULL;
        CREATE INDEX IF NOT EXISTS timers_case ON timers(case_id);
        CREATE TABLE IF NOT EXISTS timer_firings(
            timer_id INTEGER PRIMARY KEY, case_id TEXT NOT NULL, name TEXT NOT NULL, due_at INTEGER NOT NULL,
            fired_at INTEGER NOT NULL, lateness_ms INTEGER NOT NULL, seq INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS outbox(
            id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL, seq INTEGER NOT NULL, topic TEXT NOT NULL,
            recipients TEXT NOT NULL, event TEXT NOT NULL, level INTEGER NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS idempotency(
            key TEXT PRIMARY KEY, request TEXT NOT NULL, case_id TEXT NOT NULL, response TEXT NOT NULL,
            created_at INTEGER NOT NULL) WITHOUT ROWID;
        """ + access + webhooks + people

    /// Schema 3: partners' API keys (only their SHA-256) and the hash-chained access log (NEN 7513).
    static let access = """
        CREATE TABLE IF NOT EXISTS api_keys(
            id TEXT PRIMARY KEY, partner TEXT NOT NULL, hash TEXT NOT NULL, label TEXT, created_at INTEGER NOT NULL,
            revoked_at INTEGER) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS audit(
            id INTEGER PRIMARY KEY, at INTEGER NOT NULL, channel TEXT NOT NULL, action TEXT NOT NULL,
            resource TEXT NOT NULL, case_id TEXT, client_key TEXT, partner TEXT NOT NULL, person TEXT,
            outcome TEXT NOT NULL, status INTEGER NOT NULL, detail TEXT, address TEXT, prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL, identity TEXT, role TEXT, via TEXT);
        CREATE INDEX IF NOT EXISTS audit_client ON audit(client_key) WHERE client_key IS NOT NULL;
        CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
        CREATE TRIGGER IF NOT EXISTS audit_append_only_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_append_only_delete BEFORE DELETE ON audit
            WHEN OLD.id > coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'audit_purged_through'), 0)
            BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
        """

    /// Schema 4: webhook endpoints (secrets only sealed), one delivery per notification and endpoint, written in the
    /// transaction of the event, and every attempt.
    static let webhooks = """
        CREATE TABLE IF NOT EXISTS webhook_endpoints(
            id TEXT PRIMARY KEY, partner TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL, format TEXT NOT NULL,
            secret TEXT NOT NULL, previous_secret TEXT, previous_until INTEGER, created_at INTEGER NOT NULL,
            disabled_at INTEGER, disabled_reason TEXT, failing_since INTEGER) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS deliveries(
            id INTEGER PRIMARY KEY, webhook_id TEXT NOT NULL UNIQUE, endpoint_id TEXT NOT NULL,
            outbox_id INTEGER NOT NULL, case_id TEXT NOT NULL, topic TEXT NOT NULL, body TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,
            created_at INTEGER NOT NULL, finished_at INTEGER, last_status INTEGER, last_error TEXT);
        CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(next_at) WHERE status = 'pending';
        CREATE INDEX IF NOT EXISTS deliveries_order ON deliveries(endpoint_id, case_id, id) WHERE status = 'pending';
        CREATE INDEX IF NOT EXISTS deliveries_failed ON deliveries(created_at) WHERE status = 'failed';
        CREATE TABLE IF NOT EXISTS delivery_attempts(
            id INTEGER PRIMARY KEY, delivery_id INTEGER NOT NULL, at INTEGER NOT NULL, status INTEGER,
            duration_ms INTEGER NOT NULL, error TEXT, response TEXT);
        CREATE INDEX IF NOT EXISTS delivery_attempts_delivery ON delivery_attempts(delivery_id);
        """

    /// Schema 9: the people who work in Regie and their sessions. A password is kept only as its scrypt hash, a
    /// second factor's secret only sealed, recovery codes only as hashes, a session only as the hash of its id.
    static let people = """
        CREATE TABLE IF NOT EXISTS people(
            login TEXT PRIMARY KEY, name TEXT NOT NULL, partner TEXT NOT NULL, roles TEXT NOT NULL,
            email TEXT, status TEXT NOT NULL DEFAULT 'active', password TEXT, password_set_at INTEGER,
            must_change_password INTEGER NOT NULL DEFAULT 0, totp_secret TEXT, totp_enrolled_at INTEGER,
            totp_last_step INTEGER, recovery_codes TEXT, failed_logins INTEGER NOT NULL DEFAULT 0, locked_at INTEGER,
            last_login_at INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS sessions(
            id_hash TEXT PRIMARY KEY, ref TEXT NOT NULL UNIQUE, login TEXT, stage TEXT NOT NULL, method TEXT,
            pending TEXT, created_at INTEGER NOT NULL, seen_at INTEGER NOT NULL, address TEXT, ended_at INTEGER,
            end_reason TEXT) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS sessions_login ON sessions(login) WHERE ended_at IS NULL;
        """

    /// Brings a database of an earlier schema up to this one. Call inside a write transaction.
    static func migrate(_ db: Database) throws {
        if try db.scalarText("SELECT value FROM meta WHERE key='schema'") == "1" {
            // Version 2: case details (municipality, opening fields, handover, opdracht, links).
            try db.execute("ALTER TABLE cases ADD COLUMN details TEXT")
            try db.run("UPDATE meta SET value='2' WHERE key='schema'")
        }
        if try db.scalarText("SELECT value FROM meta WHERE key='schema'") == "2" {
            // Version 3: API keys and the access log.
            try db.execute(access)
            try db.run("UPDATE meta SET value='3' WHERE key='schema'")
        }
        if try db.scalarText("SELECT value FROM meta WHERE key='schema'") == "3" {
            // Version 4: webhooks.
            try db.execute(webhooks)
            try db.run("UPDATE meta SET value='4' WHERE key='schema'")
        }
        if try db.scalarText("SELECT value FROM meta WHERE key='schema'") == "4" {
            // Version 5: timers know when they were paused, which level owns them and whom an instance is about.
            // A timer paused before this version was paused when its case was suspended. The level deadline
            // belongs to the case's level, an opdracht's deadline to the level that gave it (the case's level then).
            try db.execute(
                """
                ALTER TABLE timers ADD COLUMN owner_level INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE timers ADD COLUMN subject TEXT;
                ALTER TABLE timers ADD COLUMN paused_at INTEGER;
                UPDATE timers SET paused_at = (SELECT coalesce(c.suspended_at, timers.started_at) FROM cases c
                    WHERE c.id = timers.case_id) WHERE paused <> 0;
                UPDATE timers SET owner_level = (SELECT c.level FROM cases c WHERE c.id = timers.case_id)
                    WHERE name IN ('niveau-termijn', 'opdracht-termijn');
                UPDATE timers SET subject = (SELECT json_extract(c.details, '$.opdracht.partner') FROM cases c
                    WHERE c.id = timers.case_id) WHERE name = 'opdracht-termijn';
                DROP INDEX IF EXISTS timers_due;
                ALTER TABLE timers DROP COLUMN paused;
                CREATE INDEX IF NOT EXISTS timers_due_at ON timers(due_at) WHERE paused_at IS NULL;
                """)
            try db.run("UPDATE meta SET value='5' WHERE key='schema'")
        }
        if try db.scalarText("SELECT value FROM meta WHERE key='schema'") == "5" {
            // Version 6: the clients of each case (households), for lookups by any member.
            try db.execute(
                """
                CREATE TABLE IF NOT EXISTS case_clients(
                    client_key TEXT NOT NULL, case_id TEXT NOT NULL, member TEXT NOT NULL,
                    PRIMARY KEY(client_key, case_id, member)) WITHOUT ROWID;
                INSERT OR IGNORE INTO case_clients(client_key, case_id, member)
                    SELECT client_key, id, 'client-1' FROM cases WHERE client_key IS NOT NULL;
                """)
            try db.run("UPDATE meta SET value='6' WHERE key='schema'")
        }
        if try db.scalarText("SELECT value FROM meta WHERE key='schema'") == "6" {
            // Version 7: the event log is sealed (each event chained to its case's previous one), purged cases leave
            // tombstones, and cases can be held from purging.
            try db.execute(
                """
                ALTER TABLE events ADD COLUMN hash TEXT;
                ALTER TABLE events ADD COLUMN state TEXT;
                ALTER TABLE cases ADD COLUMN last_hash TEXT;
                DROP TRIGGER IF EXISTS events_append_only_update;
                DROP TRIGGER IF EXISTS events_append_only_delete;
                """)
            try sealExistingEvents(db)
            try db.execute(sql)
            try db.run("UPDATE meta SET value='7' WHERE key='schema'")
        }
        if try db.scalarText("SELECT value FROM meta WHERE key='schema'") == "7" {
            // Version 8: the access log's oldest records may be purged after their retention, up to the anchor the
            // chain then starts from (meta audit_purged_through and audit_anchor); nothing else may remove one.
            try db.execute("DROP TRIGGER IF EXISTS audit_append_only_delete")
            try db.execute(sql)
            try db.run("UPDATE meta SET value='8' WHERE key='schema'")
        }
        if try db.scalarText("SELECT value FROM meta WHERE key='schema'") == "8" {
            // Version 9: people and sessions; the access log says how it knows each person, in which role, and
            // through which session.
            var columns: Set<String> = []
            try db.query("PRAGMA table_info(audit)") { columns.insert($0.text(1)) }
            for column in ["identity", "role", "via"] where !columns.contains(column) {
                try db.execute("ALTER TABLE audit ADD COLUMN \(column) TEXT")
            }
            try db.execute(sql)
            try db.run("UPDATE meta SET value='9' WHERE key='schema'")
        }
        if try db.scalarText("SELECT value FROM meta WHERE key='schema'") == "9" {
            // Version 10: the partners of every case, and indexes on the escalated cases and on the responsible
            // municipality, so that a partner's list no longer reads every case.
            try db.execute(sql)
            var rows: [(String, String, String)] = []
            try db.query("SELECT id, regie_partner, participants FROM cases") {
                rows.append(($0.text(0), $0.text(1), $0.text(2)))
            }
            for (id, regie, participants) in rows {
                let partners = Set([regie] + CaseStore.decodeParticipants(participants).map(\.partner))
                for p in partners {
                    try db.run(
                        "INSERT OR IGNORE INTO case_partners(partner, case_id) VALUES (?, ?)", [.text(p), .text(id)])
                }
            }
            try db.run("UPDATE meta SET value='10' WHERE key='schema'")
        }
        if try db.scalarText("SELECT value FROM meta WHERE key='schema'") == "10" {
            // Version 11: the monitor's counts. What happened before cannot be counted afresh (a fact needs the case
            // as it was before and after each decision, and the log keeps only the events), so the monitor counts
            // from the last event written before the upgrade and says so.
            try db.execute(sql)
            if let last = try db.scalarInt("SELECT max(at) FROM events") {
                try db.run(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('monitor_since', ?)",
                    [.text(Instant(milliseconds: last).iso8601)])
            }
            try db.run("UPDATE meta SET value=? WHERE key='schema'", [.text(version)])
        }
    }

    /// Seals the events written before the log was sealed: in each case's order, with the digest of the case's
    /// current state on its last event (earlier states were not kept).
    static func sealExistingEvents(_ db: Database) throws {
        let store = CaseStore(created: db)
        // One pass over the log in case order (the log has no index on case_id: a query per case would read it
        // once per case).
        var rows: [(id: Int64, values: [SQLValue])] = []
        var current: String?
        var seals: [(Int64, String, String)] = []
        var lastSeals: [(String, String)] = []
        func finish() throws {
            guard let current, let record = try store.loadCase(current) else { return }
            let state = EventSeal.stateDigest(record)
            var seal: String?
            for (i, row) in rows.enumerated() {
                let stateAfter = i == rows.count - 1 ? state : ""
                seal = EventSeal.chain(seal, EventSeal.digest(row.values, state: stateAfter))
                seals.append((row.id, seal ?? "", stateAfter))
            }
            if let seal { lastSeals.append((current, seal)) }
        }
        try db.query(
            "SELECT id, case_id, seq, prev_id, at, event, actor_partner, actor_person, actor_role, payload FROM events ORDER BY case_id, seq"
        ) { s in
            let caseId = s.text(1)
            if caseId != current {
                try finish()
                current = caseId
                rows = []
            }
            rows.append(
                (
                    s.int(0),
                    [
                        .text(caseId), .int(s.int(2)), .null, .int(s.int(4)), .text(s.text(5)), .text(s.text(6)),
                        .text(s.optionalText(7)), .text(s.text(8)), .text(s.text(9)),
                    ]
                ))
        }
        try finish()
        for (id, seal, state) in seals {
            try db.run("UPDATE events SET hash=?, state=? WHERE id=?", [.text(seal), .text(state), .int(id)])
        }
        for (caseId, seal) in lastSeals {
            try db.run("UPDATE cases SET last_hash=? WHERE id=?", [.text(seal), .text(caseId)])
        }
    }

}
