import Domain
import SQLiteKit
/// The schema of `tickets.db`, as ordered migrations (docs/tickets.md explains each table).
///
/// Times are INTEGER milliseconds since the epoch (UTC) so they sort and compare as numbers.
/// Indexes are few on purpose: every index costs on each of a million imports.
public enum TicketSchema {
    /// The text of `tickets_fts.filters` (migration 22) for the ticket row `t`, as SQL: its category
    /// and priority rank as words FTS5 keeps whole (`categoryit priority5`) and its compound category
    /// tokens (``SearchFilters``). The migration's triggers spell the same call out.
    static func filterWords(_ t: String) -> String {
        "\(SearchFilters.functionName)(\(t).category, \(t).priority_rank, \(t).description, \(t).location, \(t).reporter)"
    }

    public static let migrations: [Migration] = [
        Migration(version: 1, sql: """
            CREATE TABLE tickets (
                id INTEGER PRIMARY KEY,
                description TEXT NOT NULL,
                location TEXT,
                reporter TEXT,
                category TEXT NOT NULL CHECK (category IN ('facility', 'it', 'services')),
                category_source TEXT NOT NULL CHECK (category_source IN ('auto', 'staff')),
                category_confidence REAL,
                status TEXT NOT NULL CHECK (status IN ('open', 'active', 'closed')),
                opened_at INTEGER NOT NULL,
                modified_at INTEGER NOT NULL,
                closed_at INTEGER,
                CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
                CHECK (modified_at >= opened_at),
                CHECK (closed_at IS NULL OR closed_at >= opened_at)
            );
            -- One index serves every list filter: each (status, category) pair is a range already in
            -- newest-first order, and the reader merges the pairs a filter selects.
            CREATE INDEX tickets_by_status_category_opened ON tickets (status, category, opened_at DESC, id DESC);

            CREATE TABLE messages (
                id INTEGER PRIMARY KEY,
                ticket_id INTEGER NOT NULL REFERENCES tickets (id),
                author_role TEXT NOT NULL CHECK (author_role IN ('user', 'staff')),
                author_name TEXT,
                body TEXT NOT NULL,
                sent_at INTEGER NOT NULL
            );
            CREATE INDEX messages_by_ticket ON messages (ticket_id, sent_at, id);

            -- Every command id the worker has answered, with that answer (JSON CommandReply).
            CREATE TABLE applied_commands (
                command_id TEXT NOT NULL UNIQUE,
                applied_at INTEGER NOT NULL,
                reply TEXT NOT NULL
            );

            -- The outbox: change events in commit order. seq is the rowid; rows are never deleted,
            -- so max(seq) + 1 keeps the numbers consecutive, and the table doubles as the replay log.
            CREATE TABLE events (
                seq INTEGER PRIMARY KEY,
                ticket_id INTEGER NOT NULL,
                type TEXT NOT NULL,
                occurred_at INTEGER NOT NULL,
                before_category TEXT,
                before_status TEXT,
                before_opened_at INTEGER,
                before_closed_at INTEGER,
                after_category TEXT NOT NULL,
                after_status TEXT NOT NULL,
                after_opened_at INTEGER NOT NULL,
                after_closed_at INTEGER
            );
            CREATE TABLE outbox_state (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                published_through INTEGER NOT NULL
            );
            INSERT INTO outbox_state (id, published_through) VALUES (1, 0);

            -- Tickets per status, kept by triggers so the counts cost the same at any size.
            CREATE TABLE status_counts (
                status TEXT PRIMARY KEY,
                count INTEGER NOT NULL
            ) WITHOUT ROWID;
            INSERT INTO status_counts (status, count) VALUES ('open', 0), ('active', 0), ('closed', 0);
            CREATE TRIGGER tickets_count_insert AFTER INSERT ON tickets BEGIN
                UPDATE status_counts SET count = count + 1 WHERE status = new.status;
            END;
            CREATE TRIGGER tickets_count_update AFTER UPDATE OF status ON tickets WHEN old.status <> new.status BEGIN
                UPDATE status_counts SET count = count - 1 WHERE status = old.status;
                UPDATE status_counts SET count = count + 1 WHERE status = new.status;
            END;
            CREATE TRIGGER tickets_count_delete AFTER DELETE ON tickets BEGIN
                UPDATE status_counts SET count = count - 1 WHERE status = old.status;
            END;

            -- Full-text index over the ticket text, external content (the text is stored once, in
            -- tickets). The triggers keep it in step; the update trigger fires only for text columns.
            CREATE VIRTUAL TABLE tickets_fts USING fts5(
                description, location, reporter,
                content = 'tickets', content_rowid = 'id',
                tokenize = 'unicode61 remove_diacritics 2'
            );
            CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
                INSERT INTO tickets_fts (rowid, description, location, reporter)
                VALUES (new.id, new.description, new.location, new.reporter);
            END;
            CREATE TRIGGER tickets_fts_update AFTER UPDATE OF description, location, reporter ON tickets BEGIN
                INSERT INTO tickets_fts (tickets_fts, rowid, description, location, reporter)
                VALUES ('delete', old.id, old.description, old.location, old.reporter);
                INSERT INTO tickets_fts (rowid, description, location, reporter)
                VALUES (new.id, new.description, new.location, new.reporter);
            END;
            CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
                INSERT INTO tickets_fts (tickets_fts, rowid, description, location, reporter)
                VALUES ('delete', old.id, old.description, old.location, old.reporter);
            END;
            """),
        // Search newest first without sorting the matches: the full-text rowid becomes the ticket's
        // position in the listing order, so FTS5 walks matches in that order and stops at the page size.
        Migration(version: 2, sql: """
            -- key = opened_at * 2^20 + n, n = tickets already opened in the same millisecond. Ids only
            -- grow (no deletes reuse the top id), so within one millisecond n follows the id: key order
            -- is exactly (opened_at, id) order. opened_at never changes after insert, so neither does key.
            CREATE TABLE ticket_search_keys (
                key INTEGER PRIMARY KEY,
                ticket_id INTEGER NOT NULL UNIQUE
            );
            INSERT INTO ticket_search_keys (key, ticket_id)
            SELECT opened_at * 1048576 + row_number() OVER (PARTITION BY opened_at ORDER BY id) - 1, id FROM tickets;

            DROP TRIGGER tickets_fts_insert;
            DROP TRIGGER tickets_fts_update;
            DROP TRIGGER tickets_fts_delete;
            DROP TABLE tickets_fts;
            -- Contentless (the text lives in tickets only); entries are removed with FTS5's 'delete'
            -- command and the old values, which the triggers have.
            CREATE VIRTUAL TABLE tickets_fts USING fts5(
                description, location, reporter,
                content = '', columnsize = 0,
                tokenize = 'unicode61 remove_diacritics 2'
            );
            INSERT INTO tickets_fts (rowid, description, location, reporter)
            SELECT k.key, t.description, t.location, t.reporter FROM ticket_search_keys k JOIN tickets t ON t.id = k.ticket_id
            ORDER BY k.key;

            CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets BEGIN
                INSERT INTO ticket_search_keys (key, ticket_id)
                SELECT CASE
                         WHEN max(key) IS NULL THEN new.opened_at * 1048576
                         WHEN max(key) < new.opened_at * 1048576 + 1048575 THEN max(key) + 1
                         ELSE RAISE(ABORT, 'more than 1048576 tickets opened in one millisecond')
                       END, new.id
                FROM ticket_search_keys
                WHERE key BETWEEN new.opened_at * 1048576 AND new.opened_at * 1048576 + 1048575;
                INSERT INTO tickets_fts (rowid, description, location, reporter)
                VALUES (last_insert_rowid(), new.description, new.location, new.reporter);
            END;
            CREATE TRIGGER tickets_search_update AFTER UPDATE OF description, location, reporter ON tickets BEGIN
                INSERT INTO tickets_fts (tickets_fts, rowid, description, location, reporter)
                SELECT 'delete', key, old.description, old.location, old.reporter FROM ticket_search_keys WHERE ticket_id = old.id;
                INSERT INTO tickets_fts (rowid, description, location, reporter)
                SELECT key, new.description, new.location, new.reporter FROM ticket_search_keys WHERE ticket_id = new.id;
            END;
            CREATE TRIGGER tickets_search_delete AFTER DELETE ON tickets BEGIN
                INSERT INTO tickets_fts (tickets_fts, rowid, description, location, reporter)
                SELECT 'delete', key, old.description, old.location, old.reporter FROM ticket_search_keys WHERE ticket_id = old.id;
                DELETE FROM ticket_search_keys WHERE ticket_id = old.id;
            END;
            """),
        // The unfiltered list (every status and category, the staff's default page) read as one
        // ordered range instead of merging nine (status, category) ranges: ~5x less work per page.
        // Tickets arrive roughly in opened_at order, so inserts land at the index's end (cheap).
        Migration(version: 3, sql: """
            CREATE INDEX tickets_by_opened ON tickets (opened_at DESC, id DESC);
            """),
        // Imported (historical) tickets are indexed for full text later, by the worker's background
        // pass (`TicketStore.indexSearchBacklog`): FTS5 was ~40 of the ~96 µs per imported ticket.
        // search_indexed = 0 marks a ticket whose text is not in tickets_fts yet; existing rows take
        // the default 1 (migrations 1-3 indexed them). The partial index holds only pending tickets,
        // so finding and counting the backlog costs nothing once it is empty, and appends are cheap.
        Migration(version: 4, sql: """
            ALTER TABLE tickets ADD COLUMN search_indexed INTEGER NOT NULL DEFAULT 1 CHECK (search_indexed IN (0, 1));
            CREATE INDEX tickets_search_pending ON tickets (id) WHERE search_indexed = 0;

            DROP TRIGGER tickets_search_insert;
            DROP TRIGGER tickets_search_update;
            DROP TRIGGER tickets_search_delete;
            -- The key row is written for every ticket (it is the listing order); the text goes into
            -- tickets_fts only for an indexed ticket. last_insert_rowid() is the key row's rowid.
            CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets BEGIN
                INSERT INTO ticket_search_keys (key, ticket_id)
                SELECT CASE
                         WHEN max(key) IS NULL THEN new.opened_at * 1048576
                         WHEN max(key) < new.opened_at * 1048576 + 1048575 THEN max(key) + 1
                         ELSE RAISE(ABORT, 'more than 1048576 tickets opened in one millisecond')
                       END, new.id
                FROM ticket_search_keys
                WHERE key BETWEEN new.opened_at * 1048576 AND new.opened_at * 1048576 + 1048575;
                INSERT INTO tickets_fts (rowid, description, location, reporter)
                SELECT last_insert_rowid(), new.description, new.location, new.reporter WHERE new.search_indexed = 1;
            END;
            -- A pending ticket has no entry to delete (a 'delete' of an entry never inserted corrupts a
            -- contentless index): its edit changes only the row, and the pass indexes the current text.
            CREATE TRIGGER tickets_search_update AFTER UPDATE OF description, location, reporter ON tickets
            WHEN old.search_indexed = 1 BEGIN
                INSERT INTO tickets_fts (tickets_fts, rowid, description, location, reporter)
                SELECT 'delete', key, old.description, old.location, old.reporter FROM ticket_search_keys WHERE ticket_id = old.id;
                INSERT INTO tickets_fts (rowid, description, location, reporter)
                SELECT key, new.description, new.location, new.reporter FROM ticket_search_keys WHERE ticket_id = new.id;
            END;
            CREATE TRIGGER tickets_search_delete AFTER DELETE ON tickets BEGIN
                INSERT INTO tickets_fts (tickets_fts, rowid, description, location, reporter)
                SELECT 'delete', key, old.description, old.location, old.reporter FROM ticket_search_keys
                WHERE ticket_id = old.id AND old.search_indexed = 1;
                DELETE FROM ticket_search_keys WHERE ticket_id = old.id;
            END;
            """),
        // The network desk (docs/roles.md): five roles named the same everywhere (messages written
        // as 'user'/'staff' become 'customer'/'agent'; SQLite cannot alter a CHECK, so the table is
        // copied), the reporter's account and the assigned engineer on each ticket, accounts, and
        // sessions (the SHA-256 of each token, never the token).
        Migration(version: 5, sql: """
            CREATE TABLE messages_v5 (
                id INTEGER PRIMARY KEY,
                ticket_id INTEGER NOT NULL REFERENCES tickets (id),
                author_role TEXT NOT NULL CHECK (author_role IN ('customer', 'agent', 'engineer', 'manager', 'admin')),
                author_name TEXT,
                body TEXT NOT NULL,
                sent_at INTEGER NOT NULL
            );
            INSERT INTO messages_v5 (id, ticket_id, author_role, author_name, body, sent_at)
            SELECT id, ticket_id, CASE author_role WHEN 'user' THEN 'customer' WHEN 'staff' THEN 'agent' ELSE author_role END,
                   author_name, body, sent_at
            FROM messages ORDER BY id;
            DROP TABLE messages;
            ALTER TABLE messages_v5 RENAME TO messages;
            CREATE INDEX messages_by_ticket ON messages (ticket_id, sent_at, id);

            CREATE TABLE users (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                email TEXT NOT NULL UNIQUE,
                phone TEXT,
                location TEXT,
                role TEXT NOT NULL CHECK (role IN ('customer', 'agent', 'engineer', 'manager', 'admin')),
                active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                password_hash TEXT NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX users_by_role ON users (role, active);

            CREATE TABLE sessions (
                token_digest TEXT PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users (id),
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX sessions_by_user ON sessions (user_id);

            ALTER TABLE tickets ADD COLUMN customer_id INTEGER REFERENCES users (id);
            ALTER TABLE tickets ADD COLUMN assignee_id INTEGER REFERENCES users (id);
            CREATE INDEX tickets_by_customer ON tickets (customer_id, opened_at DESC, id DESC) WHERE customer_id IS NOT NULL;
            CREATE INDEX tickets_by_assignee ON tickets (assignee_id, opened_at DESC, id DESC) WHERE assignee_id IS NOT NULL;
            """),
        // The audit trail and triage (docs/tickets.md, "History"): one row per changed field, written in the
        // transaction of the change, linked to the change event that published it. Append-only:
        // the triggers refuse every UPDATE and DELETE, so not even the worker can rewrite history.
        // Tickets that existed before get no invented past: their trail starts with the next change.
        Migration(version: 6, sql: """
            CREATE TABLE ticket_history (
                id INTEGER PRIMARY KEY,
                ticket_id INTEGER NOT NULL REFERENCES tickets (id),
                event_seq INTEGER NOT NULL REFERENCES events (seq),
                changed_at INTEGER NOT NULL,
                actor_id INTEGER REFERENCES users (id),
                actor_role TEXT NOT NULL CHECK (actor_role IN ('customer', 'agent', 'engineer', 'manager', 'admin')),
                actor_name TEXT,
                channel TEXT CHECK (channel IN ('web', 'api', 'import', 'sla', 'cli')),
                field TEXT NOT NULL CHECK (field IN ('status', 'category', 'issue_type', 'severity', 'impact', 'priority', 'assignee',
                                                     'description', 'location', 'reporter', 'contact', 'preferred_contact_time')),
                old_value TEXT,
                new_value TEXT,
                CHECK (old_value IS NOT new_value)
            );
            CREATE INDEX ticket_history_by_ticket ON ticket_history (ticket_id, id);
            CREATE INDEX ticket_history_by_event ON ticket_history (event_seq);
            CREATE TRIGGER ticket_history_append_only_update BEFORE UPDATE ON ticket_history BEGIN
                SELECT RAISE(ABORT, 'ticket_history is append-only');
            END;
            CREATE TRIGGER ticket_history_append_only_delete BEFORE DELETE ON ticket_history BEGIN
                SELECT RAISE(ABORT, 'ticket_history is append-only');
            END;

            -- Triage: severity (suggested or set by staff), how many people are affected, and the
            -- priority that follows from both (PriorityMatrix) unless staff pinned it. Existing
            -- tickets are untriaged (no severity, no priority) and affect one person.
            ALTER TABLE tickets ADD COLUMN severity TEXT CHECK (severity IN ('critical', 'high', 'medium', 'low'));
            ALTER TABLE tickets ADD COLUMN severity_source TEXT CHECK (severity_source IN ('auto', 'staff'));
            ALTER TABLE tickets ADD COLUMN impact TEXT NOT NULL DEFAULT 'one' CHECK (impact IN ('one', 'several', 'many'));
            ALTER TABLE tickets ADD COLUMN priority TEXT CHECK (priority IN ('P1', 'P2', 'P3', 'P4'));
            ALTER TABLE tickets ADD COLUMN priority_source TEXT CHECK (priority_source IN ('auto', 'staff'));
            -- How staff reach the reporter besides messages, and when (a ContactWindow's canonical text).
            ALTER TABLE tickets ADD COLUMN contact_email TEXT;
            ALTER TABLE tickets ADD COLUMN contact_phone TEXT;
            ALTER TABLE tickets ADD COLUMN preferred_contact_time TEXT;

            -- What the model suggested for the ticket's current description (SuggestionText: two lines),
            -- shown to staff; and the staff overrides it learns from (kept, never edited).
            ALTER TABLE tickets ADD COLUMN suggestion TEXT;
            CREATE TABLE training_examples (
                id INTEGER PRIMARY KEY,
                ticket_id INTEGER NOT NULL REFERENCES tickets (id),
                text TEXT NOT NULL,
                category TEXT CHECK (category IN ('facility', 'it', 'services')),
                severity TEXT CHECK (severity IN ('critical', 'high', 'medium', 'low')),
                created_at INTEGER NOT NULL,
                CHECK (category IS NOT NULL OR severity IS NOT NULL)
            );
            """),
        // Issue types (docs/tickets.md, "Issue types"): what a reporter picks, each under one category,
        // added, renamed and retired by admins and never deleted (tickets keep retired ones). Names are
        // unique within a category, NOCASE (ASCII letters), retired types included, so an export's
        // (category, name) finds exactly one type again. The starter list is seeded here.
        //
        // A ticket with a type is filed under the type's category. SQLite cannot widen migration 1's
        // category_source CHECK without copying every ticket, so such a ticket stores 'staff' (a person
        // chose; the classifier keeps off) and reads as 'issue_type'; the column's CHECK keeps the two
        // together. No index on issue_type_id: nothing looks tickets up by type, and each index costs
        // on every imported ticket.
        Migration(version: 7, sql: """
            CREATE TABLE issue_types (
                id INTEGER PRIMARY KEY,
                category TEXT NOT NULL CHECK (category IN ('facility', 'it', 'services')),
                name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
                created_at INTEGER NOT NULL,
                retired_at INTEGER,
                CHECK (retired_at IS NULL OR retired_at >= created_at)
            );
            CREATE UNIQUE INDEX issue_types_by_name ON issue_types (category, name COLLATE NOCASE);
            -- The starter list, with fixed ids (the same on every desk), in the order they are offered.
            INSERT INTO issue_types (id, category, name, created_at)
            SELECT column1, column2, column3, CAST(strftime('%s', 'now') AS INTEGER) * 1000 FROM (VALUES
                (1, 'facility', 'Elevator / lift'), (2, 'facility', 'Heating or cooling'), (3, 'facility', 'Plumbing / water leak'),
                (4, 'facility', 'Electrical / lighting'), (5, 'facility', 'Cleaning'), (6, 'facility', 'Furniture / doors / windows'),
                (7, 'facility', 'Safety hazard'),
                (8, 'it', 'Wi-Fi / network'), (9, 'it', 'Account / password'), (10, 'it', 'Printing'),
                (11, 'it', 'Classroom / lab computers'), (12, 'it', 'Software / licences'), (13, 'it', 'Email'),
                (14, 'services', 'Canteen / food'), (15, 'services', 'Transport / shuttle'), (16, 'services', 'Fees / finance portal'),
                (17, 'services', 'Library'), (18, 'services', 'Registration / admin office'), (19, 'services', 'Other service complaint')
            );

            ALTER TABLE tickets ADD COLUMN issue_type_id INTEGER REFERENCES issue_types (id)
                CHECK (issue_type_id IS NULL OR category_source = 'staff');
            """),
        // The work queue's order (`sort=priority`): priority P1 first, untriaged last, then the
        // longest waiting. `priority_rank` is a virtual generated column (computed on read, nothing
        // stored) so the index can hold it and a row value `(priority_rank, opened_at, id) > (?, ?, ?)`
        // seeks straight to a cursor; an index on the bare expression only seeks by its first column.
        // Partial: only open and active tickets are in it, the tickets a queue is about, so a
        // million-ticket history (imported closed) costs nothing on import and the index stays small.
        // Covering the list page's columns (`TicketRowView.columns`): its rows come from the index
        // alone, without a seek into the table each (a tenth of the page's instructions).
        Migration(version: 8, sql: """
            ALTER TABLE tickets ADD COLUMN priority_rank INTEGER GENERATED ALWAYS AS (
                CASE priority WHEN 'P1' THEN 1 WHEN 'P2' THEN 2 WHEN 'P3' THEN 3 WHEN 'P4' THEN 4 ELSE 5 END) VIRTUAL;
            CREATE INDEX tickets_by_priority ON tickets (priority_rank, opened_at, id, description, location, category, status, severity, priority, assignee_id)
            WHERE status <> 'closed';
            """),
        // Search that finds what people mean (docs/tickets.md, "Text search"): the index holds each
        // column's text normalised by `SearchText` (hyphens joined, case and accents folded, simple
        // plurals made singular), computed by the SQL function `campusdesk_search_text`, which the
        // writer registers on its connection before migrating. The query side normalises the same way.
        // The table is rebuilt from the tickets already indexed; tickets still waiting for the
        // background pass (search_indexed = 0) stay waiting and are indexed normalised by it. The
        // triggers are migration 4's with the function around each column.
        Migration(version: 9, sql: """
            DROP TRIGGER tickets_search_insert;
            DROP TRIGGER tickets_search_update;
            DROP TRIGGER tickets_search_delete;
            DROP TABLE tickets_fts;
            CREATE VIRTUAL TABLE tickets_fts USING fts5(
                description, location, reporter,
                content = '', columnsize = 0,
                tokenize = 'unicode61 remove_diacritics 2'
            );
            INSERT INTO tickets_fts (rowid, description, location, reporter)
            SELECT k.key, campusdesk_search_text(t.description), campusdesk_search_text(t.location), campusdesk_search_text(t.reporter)
            FROM ticket_search_keys k JOIN tickets t ON t.id = k.ticket_id
            WHERE t.search_indexed = 1
            ORDER BY k.key;

            CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets BEGIN
                INSERT INTO ticket_search_keys (key, ticket_id)
                SELECT CASE
                         WHEN max(key) IS NULL THEN new.opened_at * 1048576
                         WHEN max(key) < new.opened_at * 1048576 + 1048575 THEN max(key) + 1
                         ELSE RAISE(ABORT, 'more than 1048576 tickets opened in one millisecond')
                       END, new.id
                FROM ticket_search_keys
                WHERE key BETWEEN new.opened_at * 1048576 AND new.opened_at * 1048576 + 1048575;
                INSERT INTO tickets_fts (rowid, description, location, reporter)
                SELECT last_insert_rowid(), campusdesk_search_text(new.description), campusdesk_search_text(new.location),
                       campusdesk_search_text(new.reporter)
                WHERE new.search_indexed = 1;
            END;
            CREATE TRIGGER tickets_search_update AFTER UPDATE OF description, location, reporter ON tickets
            WHEN old.search_indexed = 1 BEGIN
                INSERT INTO tickets_fts (tickets_fts, rowid, description, location, reporter)
                SELECT 'delete', key, campusdesk_search_text(old.description), campusdesk_search_text(old.location),
                       campusdesk_search_text(old.reporter)
                FROM ticket_search_keys WHERE ticket_id = old.id;
                INSERT INTO tickets_fts (rowid, description, location, reporter)
                SELECT key, campusdesk_search_text(new.description), campusdesk_search_text(new.location), campusdesk_search_text(new.reporter)
                FROM ticket_search_keys WHERE ticket_id = new.id;
            END;
            CREATE TRIGGER tickets_search_delete AFTER DELETE ON tickets BEGIN
                INSERT INTO tickets_fts (tickets_fts, rowid, description, location, reporter)
                SELECT 'delete', key, campusdesk_search_text(old.description), campusdesk_search_text(old.location),
                       campusdesk_search_text(old.reporter)
                FROM ticket_search_keys
                WHERE ticket_id = old.id AND old.search_indexed = 1;
                DELETE FROM ticket_search_keys WHERE ticket_id = old.id;
            END;
            """),
        // The outcome (issue 20): a reopen's reason in the trail, and on the campus desk who reported a ticket.
        // `reason` is why a status changed (required to reopen a closed ticket, docs/tickets.md); its
        // rules are `TicketRules.statusReason`'s, as for every text column (a CHECK on SQLite's
        // `length()`, which counts to the first NUL, could refuse what the rules accept, and a
        // constraint failure is a storage error, not a refusal). The append-only triggers stay
        // (ADD COLUMN is not an UPDATE). `ticket_reporters` keeps, per ticket
        // reported on the campus desk, the SHA-256 of the reporting client's secret (its `cd_browser`
        // cookie or the API's reporter key): that client reads the ticket once it is closed. Only the
        // digest is stored, as for sessions, so reading the file does not hand out the secret. The
        // index serves "your closed reports" (newest first) for one browser.
        Migration(version: 10, sql: """
            ALTER TABLE ticket_history ADD COLUMN reason TEXT;
            CREATE TABLE ticket_reporters (
                ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
                key_digest TEXT NOT NULL CHECK (length(key_digest) = 64)
            );
            CREATE INDEX ticket_reporters_by_key ON ticket_reporters (key_digest, ticket_id DESC);
            """),
        // The list's last-activity orders (`sort=activity`, `activity-asc`): one ordered range
        // entered at the cursor by a row value, in either direction.
        Migration(version: 11, sql: """
            CREATE INDEX tickets_by_modified ON tickets (modified_at, id);
            """),
        // SLA timers (issue 16, docs/sla.md "Timers on tickets"). `sla_versions` keeps every version
        // of the policies and the calendar (JSON as the API carries them) with who made it and when;
        // version 1, the defaults in `CAMPUSDESK_TZ`, is written by the store when it opens (the zone
        // is configuration, not schema). Per ticket the version it runs under and its two timers
        // (`at_risk`, `due`, `met_at`, the last `recorded` transition); NULL for tickets opened
        // before: computing them here would read every row of a million-ticket file inside the
        // migration's transaction, with a zone SQL does not know. No CHECKs on the new columns:
        // ADD COLUMN with a CHECK scans the table to verify it. Events carry both timers before and
        // after (`SLAFactsText`). `ticket_history` is rebuilt to admit the two SLA fields in its
        // `field` CHECK (SQLite cannot alter a CHECK); the copy costs one pass over the trail, which
        // imports do not write, and the triggers and indexes are those of migration 6.
        Migration(version: 12, sql: """
            CREATE TABLE sla_versions (
                version INTEGER PRIMARY KEY,
                policies TEXT NOT NULL,
                calendar TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                created_by_id INTEGER REFERENCES users (id),
                created_by_role TEXT NOT NULL CHECK (created_by_role IN ('customer', 'agent', 'engineer', 'manager', 'admin')),
                created_by_name TEXT
            );
            ALTER TABLE tickets ADD COLUMN sla_version INTEGER REFERENCES sla_versions (version);
            ALTER TABLE tickets ADD COLUMN sla_first_response_at_risk INTEGER;
            ALTER TABLE tickets ADD COLUMN sla_first_response_due INTEGER;
            ALTER TABLE tickets ADD COLUMN sla_first_response_met_at INTEGER;
            ALTER TABLE tickets ADD COLUMN sla_first_response_recorded TEXT;
            ALTER TABLE tickets ADD COLUMN sla_resolution_at_risk INTEGER;
            ALTER TABLE tickets ADD COLUMN sla_resolution_due INTEGER;
            ALTER TABLE tickets ADD COLUMN sla_resolution_met_at INTEGER;
            ALTER TABLE tickets ADD COLUMN sla_resolution_recorded TEXT;
            ALTER TABLE events ADD COLUMN before_sla TEXT;
            ALTER TABLE events ADD COLUMN after_sla TEXT;

            CREATE TABLE ticket_history_12 (
                id INTEGER PRIMARY KEY,
                ticket_id INTEGER NOT NULL REFERENCES tickets (id),
                event_seq INTEGER NOT NULL REFERENCES events (seq),
                changed_at INTEGER NOT NULL,
                actor_id INTEGER REFERENCES users (id),
                actor_role TEXT NOT NULL CHECK (actor_role IN ('customer', 'agent', 'engineer', 'manager', 'admin')),
                actor_name TEXT,
                channel TEXT CHECK (channel IN ('web', 'api', 'import', 'sla', 'cli')),
                field TEXT NOT NULL CHECK (field IN ('status', 'category', 'issue_type', 'severity', 'impact', 'priority', 'assignee',
                                                     'description', 'location', 'reporter', 'contact', 'preferred_contact_time',
                                                     'sla_first_response', 'sla_resolution')),
                old_value TEXT,
                new_value TEXT,
                reason TEXT,
                CHECK (old_value IS NOT new_value)
            );
            INSERT INTO ticket_history_12 (id, ticket_id, event_seq, changed_at, actor_id, actor_role, actor_name, channel, field, old_value, new_value, reason)
            SELECT id, ticket_id, event_seq, changed_at, actor_id, actor_role, actor_name, channel, field, old_value, new_value, reason
            FROM ticket_history ORDER BY id;
            DROP TABLE ticket_history;
            ALTER TABLE ticket_history_12 RENAME TO ticket_history;
            CREATE INDEX ticket_history_by_ticket ON ticket_history (ticket_id, id);
            CREATE INDEX ticket_history_by_event ON ticket_history (event_seq);
            CREATE TRIGGER ticket_history_append_only_update BEFORE UPDATE ON ticket_history BEGIN
                SELECT RAISE(ABORT, 'ticket_history is append-only');
            END;
            CREATE TRIGGER ticket_history_append_only_delete BEFORE DELETE ON ticket_history BEGIN
                SELECT RAISE(ABORT, 'ticket_history is append-only');
            END;
            """),
        // Newest first with the staff's columns (issue 20): `tickets_by_opened` (migration 3) now
        // covers the list page's columns (`TicketRowView.columns`), as `tickets_by_priority` does for
        // the work queue, so the rows of the unfiltered newest-first page come from the index alone,
        // without a seek into the table each (an eighth of that page's instructions). Rebuilt under
        // the same name, so every ticket still has one opened-order entry (wider: the description
        // and location are copied into it); docs/performance.md gives what it costs an import. It
        // holds the six SLA instants too, from which the list's SLA badge is computed (migration 16
        // adds them to the work queue's index for the same reason).
        Migration(version: 13, sql: """
            DROP INDEX tickets_by_opened;
            CREATE INDEX tickets_by_opened ON tickets (opened_at DESC, id DESC, description, location, category, status, severity, priority, assignee_id,
                sla_first_response_at_risk, sla_first_response_due, sla_first_response_met_at,
                sla_resolution_at_risk, sla_resolution_due, sla_resolution_met_at);
            """),
        // Attachments (issue 18): one row per file on a ticket, referring to a content-addressed file
        // `<data>/attachments/ab/<sha256>` that the gateway wrote and fsynced before sending the
        // command. Several rows may share one file (the same photo twice); the orphan sweep deletes
        // a file only when no row names its hash. No change event: analytics do not count files.
        Migration(version: 14, sql: """
            CREATE TABLE attachments (
                id TEXT PRIMARY KEY,
                ticket_id INTEGER NOT NULL REFERENCES tickets (id),
                message_id INTEGER REFERENCES messages (id),
                sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                size INTEGER NOT NULL CHECK (size > 0),
                content_type TEXT NOT NULL,
                filename TEXT NOT NULL,
                uploaded_by_id INTEGER REFERENCES users (id),
                uploaded_by_role TEXT NOT NULL CHECK (uploaded_by_role IN ('customer', 'agent', 'engineer', 'manager', 'admin')),
                uploaded_by_name TEXT,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX attachments_by_ticket ON attachments (ticket_id, created_at);
            CREATE INDEX attachments_by_sha256 ON attachments (sha256);
            """),
        // "Me too" and merges (issue 18, docs/tickets.md "Me too and merges"). `ticket_followers`
        // holds who follows a ticket besides its reporter, one text identity each (``Follower``:
        // `user:<id>`, `key:<digest>`, `ticket:<id>`), so the primary key makes following twice count
        // once; the second index serves "tickets I follow" (notifications). `tickets.affected` is the
        // reporter plus the followers, kept by the worker in the same transaction as the rows, so
        // pages and the priority matrix read a column, not a count. `merged_into` links a closed
        // duplicate to the ticket that stays. ADD COLUMN with a constant default does not rewrite
        // the table. `ticket_history` is rebuilt (one pass over the trail, as in migration 12) to
        // admit the fields `affected`, `merged_into` and `merged_from` in its CHECK.
        Migration(version: 15, sql: """
            CREATE TABLE ticket_followers (
                ticket_id INTEGER NOT NULL REFERENCES tickets (id),
                follower TEXT NOT NULL,
                added_at INTEGER NOT NULL,
                PRIMARY KEY (ticket_id, follower)
            ) WITHOUT ROWID;
            CREATE INDEX ticket_followers_by_follower ON ticket_followers (follower, ticket_id);
            ALTER TABLE tickets ADD COLUMN affected INTEGER NOT NULL DEFAULT 1;
            ALTER TABLE tickets ADD COLUMN merged_into INTEGER REFERENCES tickets (id);

            CREATE TABLE ticket_history_15 (
                id INTEGER PRIMARY KEY,
                ticket_id INTEGER NOT NULL REFERENCES tickets (id),
                event_seq INTEGER NOT NULL REFERENCES events (seq),
                changed_at INTEGER NOT NULL,
                actor_id INTEGER REFERENCES users (id),
                actor_role TEXT NOT NULL CHECK (actor_role IN ('customer', 'agent', 'engineer', 'manager', 'admin')),
                actor_name TEXT,
                channel TEXT CHECK (channel IN ('web', 'api', 'import', 'sla', 'cli')),
                field TEXT NOT NULL CHECK (field IN ('status', 'category', 'issue_type', 'severity', 'impact', 'priority', 'assignee',
                                                     'description', 'location', 'reporter', 'contact', 'preferred_contact_time',
                                                     'sla_first_response', 'sla_resolution',
                                                     'affected', 'merged_into', 'merged_from')),
                old_value TEXT,
                new_value TEXT,
                reason TEXT,
                CHECK (old_value IS NOT new_value)
            );
            INSERT INTO ticket_history_15 (id, ticket_id, event_seq, changed_at, actor_id, actor_role, actor_name, channel, field, old_value, new_value, reason)
            SELECT id, ticket_id, event_seq, changed_at, actor_id, actor_role, actor_name, channel, field, old_value, new_value, reason
            FROM ticket_history ORDER BY id;
            DROP TABLE ticket_history;
            ALTER TABLE ticket_history_15 RENAME TO ticket_history;
            CREATE INDEX ticket_history_by_ticket ON ticket_history (ticket_id, id);
            CREATE INDEX ticket_history_by_event ON ticket_history (event_seq);
            CREATE TRIGGER ticket_history_append_only_update BEFORE UPDATE ON ticket_history BEGIN
                SELECT RAISE(ABORT, 'ticket_history is append-only');
            END;
            CREATE TRIGGER ticket_history_append_only_delete BEFORE DELETE ON ticket_history BEGIN
                SELECT RAISE(ABORT, 'ticket_history is append-only');
            END;
            """),
        // The staff's list and the SLA timers (docs/sla.md, "Web"). The list shows each ticket's SLA
        // state: migration 8's work-queue index is rebuilt to cover the six instants the state is
        // computed from (`TicketRowView.columns`), so the default page still reads its rows from the
        // index alone and never seeks into the table; partial as before (open and active only).
        // The due order (`sort=due`): `sla_next_due`, the earliest due instant of a timer not yet
        // met, 999999999999999999 when none runs (`TicketSLA.nextDue(of:)` computes the same), a
        // virtual generated column like `priority_rank` so the index holds it and a row value
        // `(sla_next_due, id) > (?, ?)` seeks to a cursor in either direction. Every ticket is in
        // it (closed ones at the end), so no filter or status makes the order sort or scan.
        Migration(version: 16, sql: """
            ALTER TABLE tickets ADD COLUMN sla_next_due INTEGER GENERATED ALWAYS AS (min(
                CASE WHEN sla_first_response_met_at IS NULL AND sla_first_response_due IS NOT NULL THEN sla_first_response_due ELSE 999999999999999999 END,
                CASE WHEN sla_resolution_met_at IS NULL AND sla_resolution_due IS NOT NULL THEN sla_resolution_due ELSE 999999999999999999 END)) VIRTUAL;
            CREATE INDEX tickets_by_sla_due ON tickets (sla_next_due, id);
            DROP INDEX tickets_by_priority;
            CREATE INDEX tickets_by_priority ON tickets (priority_rank, opened_at, id, description, location, category, status, severity, priority, assignee_id,
                sla_first_response_at_risk, sla_first_response_due, sla_first_response_met_at,
                sla_resolution_at_risk, sla_resolution_due, sla_resolution_met_at)
            WHERE status <> 'closed';
            """),
        // Search whose cost does not grow with how common a word is (issue 22, docs/performance.md
        // "Search at a million tickets"): `search_words` is the full-text index's vocabulary, so a
        // query word becomes the few whole words it begins (`"projector"` OR `"projectors"`), which
        // FTS5 reads newest first and stops at the page; a prefix query (`"projector"*`) merged
        // every match of every such word into memory first. Filled once from FTS5's own term list,
        // then kept by the search triggers (migration 9's, with the words added) and the background
        // pass. Words are never removed: a word no ticket holds any more only costs an empty branch.
        Migration(version: 17, sql: """
            CREATE TABLE search_words (word TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE VIRTUAL TABLE temp.tickets_fts_terms USING fts5vocab(main, tickets_fts, row);
            INSERT INTO search_words (word) SELECT term FROM temp.tickets_fts_terms;
            DROP TABLE temp.tickets_fts_terms;

            DROP TRIGGER tickets_search_insert;
            DROP TRIGGER tickets_search_update;
            CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets BEGIN
                INSERT INTO ticket_search_keys (key, ticket_id)
                SELECT CASE
                         WHEN max(key) IS NULL THEN new.opened_at * 1048576
                         WHEN max(key) < new.opened_at * 1048576 + 1048575 THEN max(key) + 1
                         ELSE RAISE(ABORT, 'more than 1048576 tickets opened in one millisecond')
                       END, new.id
                FROM ticket_search_keys
                WHERE key BETWEEN new.opened_at * 1048576 AND new.opened_at * 1048576 + 1048575;
                INSERT INTO tickets_fts (rowid, description, location, reporter)
                SELECT last_insert_rowid(), campusdesk_search_text(new.description), campusdesk_search_text(new.location),
                       campusdesk_search_text(new.reporter)
                WHERE new.search_indexed = 1;
                INSERT OR IGNORE INTO search_words (word)
                SELECT w.value FROM (SELECT new.description AS text UNION ALL SELECT new.location UNION ALL SELECT new.reporter) c,
                       json_each(campusdesk_search_words(c.text)) w
                WHERE new.search_indexed = 1;
            END;
            CREATE TRIGGER tickets_search_update AFTER UPDATE OF description, location, reporter ON tickets
            WHEN old.search_indexed = 1 BEGIN
                INSERT INTO tickets_fts (tickets_fts, rowid, description, location, reporter)
                SELECT 'delete', key, campusdesk_search_text(old.description), campusdesk_search_text(old.location),
                       campusdesk_search_text(old.reporter)
                FROM ticket_search_keys WHERE ticket_id = old.id;
                INSERT INTO tickets_fts (rowid, description, location, reporter)
                SELECT key, campusdesk_search_text(new.description), campusdesk_search_text(new.location), campusdesk_search_text(new.reporter)
                FROM ticket_search_keys WHERE ticket_id = new.id;
                INSERT OR IGNORE INTO search_words (word)
                SELECT w.value FROM (SELECT new.description AS text UNION ALL SELECT new.location UNION ALL SELECT new.reporter) c,
                       json_each(campusdesk_search_words(c.text)) w;
            END;
            """),
        // Closed tickets in the priority order (issue 22, finding 4 of "Scaling: 10,000 to 1,000,000
        // tickets"): they are in no `tickets_by_priority` (its WHERE keeps the work queue small), so a
        // closed-only list in that order read every closed ticket and sorted them, 2 s at a million.
        // A narrow partial index in the same key lets it seek to its cursor and stop at the page; the
        // page's other columns are read from the 50 rows it keeps.
        Migration(version: 18, sql: """
            CREATE INDEX tickets_closed_by_priority ON tickets (priority_rank, opened_at, id) WHERE status = 'closed';
            """),
        // Replicas of this file for gateways on other machines (issue 19, docs/nats.md "Gateways on
        // other machines"). On the writer `replication_outbox` holds each committed transaction's row
        // images under its sequence number until published, and `replication_state.seq` is the last
        // number given; on a replica `seq` is the last number applied. A backup of the writer thus
        // carries the number a replica seeded from it continues after.
        Migration(version: 19, sql: """
            CREATE TABLE replication_outbox (
                seq INTEGER PRIMARY KEY,
                images BLOB NOT NULL
            );
            CREATE TABLE replication_state (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                seq INTEGER NOT NULL
            );
            INSERT INTO replication_state (id, seq) VALUES (1, 0);
            """),
        // A search filtered by status or category, counted, paged or in priority order without a
        // seek into `tickets` per match (issue 22, docs/performance.md "Search at a million tickets,
        // second round"): each search key carries its ticket's status, category and priority rank,
        // so FTS5's matches are filtered on the key row their rowid already finds (a table of 30 MB at
        // a million tickets that stays cached) and only the page's rows are read from `tickets`
        // (1.2 GB, whose rows were most of a filtered search's time). Kept by the insert trigger
        // (migration 17's, with the three columns) and one on updates of the three fields.
        // Nullable only because ADD COLUMN needs a default otherwise: every key is filled here.
        Migration(version: 20, sql: """
            ALTER TABLE ticket_search_keys ADD COLUMN status TEXT;
            ALTER TABLE ticket_search_keys ADD COLUMN category TEXT;
            ALTER TABLE ticket_search_keys ADD COLUMN priority_rank INTEGER;
            UPDATE ticket_search_keys AS k SET status = t.status, category = t.category, priority_rank = t.priority_rank
            FROM tickets t WHERE t.id = k.ticket_id;

            DROP TRIGGER tickets_search_insert;
            CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets BEGIN
                INSERT INTO ticket_search_keys (key, ticket_id, status, category, priority_rank)
                SELECT CASE
                         WHEN max(key) IS NULL THEN new.opened_at * 1048576
                         WHEN max(key) < new.opened_at * 1048576 + 1048575 THEN max(key) + 1
                         ELSE RAISE(ABORT, 'more than 1048576 tickets opened in one millisecond')
                       END, new.id, new.status, new.category, new.priority_rank
                FROM ticket_search_keys
                WHERE key BETWEEN new.opened_at * 1048576 AND new.opened_at * 1048576 + 1048575;
                INSERT INTO tickets_fts (rowid, description, location, reporter)
                SELECT last_insert_rowid(), campusdesk_search_text(new.description), campusdesk_search_text(new.location),
                       campusdesk_search_text(new.reporter)
                WHERE new.search_indexed = 1;
                INSERT OR IGNORE INTO search_words (word)
                SELECT w.value FROM (SELECT new.description AS text UNION ALL SELECT new.location UNION ALL SELECT new.reporter) c,
                       json_each(campusdesk_search_words(c.text)) w
                WHERE new.search_indexed = 1;
            END;
            -- The vocabulary again from FTS5's own terms: until this version the triggers added the words
            -- as SearchText cuts them, not the tokens FTS5 cuts a word with a mark into (SearchText.tokens).
            CREATE VIRTUAL TABLE temp.tickets_fts_terms USING fts5vocab(main, tickets_fts, row);
            INSERT OR IGNORE INTO search_words (word) SELECT term FROM temp.tickets_fts_terms;
            DROP TABLE temp.tickets_fts_terms;

            CREATE TRIGGER tickets_search_filters AFTER UPDATE OF status, category, priority ON tickets BEGIN
                UPDATE ticket_search_keys SET status = new.status, category = new.category, priority_rank = new.priority_rank
                WHERE ticket_id = new.id;
            END;
            """),
        // Staff's "low confidence" list (the classifier's category below 0.6) read its rows out of the
        // whole work queue to fill a page, and counted them the same way: 754 ms at 1,000,000 tickets
        // when few match (docs/performance.md "List filters at a million"). A partial index of those
        // tickets alone, in the priority order, lets the list seek to its cursor and stop at the page
        // and the count read only them; tickets outside it (most) cost no write. Its WHERE is
        // `ListQuery.lowConfidenceIndexTerm`, the threshold `Classification.lowConfidenceThreshold`.
        Migration(version: 21, sql: """
            CREATE INDEX tickets_low_confidence_by_priority ON tickets (priority_rank, opened_at, id)
            WHERE category_source = 'auto' AND category_confidence < 0.6;
            """),
        // A search with a category or priority filter that rejects most of the text's matches (issue
        // 22, docs/performance.md "Search with a rare filter"): `q=projector&category=facility` read
        // every "projector" ticket's search key newest first, 166 ms at a million tickets, to find
        // none. The index gets a fourth column, `filters`, holding the ticket's category and priority
        // rank as words (`categoryit priority3`, `TicketSchema.filterWords`), so FTS5 intersects the
        // word's postings with the filter's (`... AND filters : "priority2"`) instead of the
        // query testing each match. For the category it holds more: one compound token per word of
        // the ticket's text (`cfacilityxprojector`, `SearchFilters`), so `category=facility` with text
        // asks `filters` alone, one short postings list per word, where ANDing the category word's
        // still merged both lists (28 ms at a million, finding 11). All of it comes from one SQL
        // function, `campusdesk_search_filters`, so a 'delete' repeats exactly what was inserted.
        // What a person typed is looked for in the three text columns or as compounds in `filters`
        // (`{description location reporter} : (...)`), so no typed word finds a filter word. Not the
        // status: every status change would re-index the ticket's entry (measured: the status change,
        // the commonest command, ran at about half the rate), and a status is rarely rare among a
        // word's matches; it stays the search key's test (migration 20). The table is rebuilt from the
        // indexed tickets, in key order as migration 9's; one trigger (text or filter changed)
        // replaces the update trigger, so an UPDATE of both deletes the old entry once (a second
        // 'delete' of a contentless entry corrupts the index).
        Migration(version: 22, sql: """
            DROP TRIGGER tickets_search_insert;
            DROP TRIGGER tickets_search_update;
            DROP TRIGGER tickets_search_delete;
            DROP TABLE tickets_fts;
            CREATE VIRTUAL TABLE tickets_fts USING fts5(
                description, location, reporter, filters,
                content = '', columnsize = 0,
                tokenize = 'unicode61 remove_diacritics 2'
            );
            INSERT INTO tickets_fts (rowid, description, location, reporter, filters)
            SELECT k.key, campusdesk_search_text(t.description), campusdesk_search_text(t.location), campusdesk_search_text(t.reporter),
                   campusdesk_search_filters(t.category, t.priority_rank, t.description, t.location, t.reporter)
            FROM ticket_search_keys k JOIN tickets t ON t.id = k.ticket_id
            WHERE t.search_indexed = 1
            ORDER BY k.key;

            CREATE TRIGGER tickets_search_insert AFTER INSERT ON tickets BEGIN
                INSERT INTO ticket_search_keys (key, ticket_id, status, category, priority_rank)
                SELECT CASE
                         WHEN max(key) IS NULL THEN new.opened_at * 1048576
                         WHEN max(key) < new.opened_at * 1048576 + 1048575 THEN max(key) + 1
                         ELSE RAISE(ABORT, 'more than 1048576 tickets opened in one millisecond')
                       END, new.id, new.status, new.category, new.priority_rank
                FROM ticket_search_keys
                WHERE key BETWEEN new.opened_at * 1048576 AND new.opened_at * 1048576 + 1048575;
                INSERT INTO tickets_fts (rowid, description, location, reporter, filters)
                SELECT last_insert_rowid(), campusdesk_search_text(new.description), campusdesk_search_text(new.location),
                       campusdesk_search_text(new.reporter), campusdesk_search_filters(new.category, new.priority_rank, new.description, new.location, new.reporter)
                WHERE new.search_indexed = 1;
                INSERT OR IGNORE INTO search_words (word)
                SELECT w.value FROM (SELECT new.description AS text UNION ALL SELECT new.location UNION ALL SELECT new.reporter) c,
                       json_each(campusdesk_search_words(c.text)) w
                WHERE new.search_indexed = 1;
            END;
            CREATE TRIGGER tickets_search_update AFTER UPDATE OF description, location, reporter, category, priority ON tickets
            WHEN old.search_indexed = 1 BEGIN
                INSERT INTO tickets_fts (tickets_fts, rowid, description, location, reporter, filters)
                SELECT 'delete', key, campusdesk_search_text(old.description), campusdesk_search_text(old.location),
                       campusdesk_search_text(old.reporter), campusdesk_search_filters(old.category, old.priority_rank, old.description, old.location, old.reporter)
                FROM ticket_search_keys WHERE ticket_id = old.id;
                INSERT INTO tickets_fts (rowid, description, location, reporter, filters)
                SELECT key, campusdesk_search_text(new.description), campusdesk_search_text(new.location), campusdesk_search_text(new.reporter),
                       campusdesk_search_filters(new.category, new.priority_rank, new.description, new.location, new.reporter)
                FROM ticket_search_keys WHERE ticket_id = new.id;
                INSERT OR IGNORE INTO search_words (word)
                SELECT w.value FROM (SELECT new.description AS text UNION ALL SELECT new.location UNION ALL SELECT new.reporter) c,
                       json_each(campusdesk_search_words(c.text)) w;
            END;
            CREATE TRIGGER tickets_search_delete AFTER DELETE ON tickets BEGIN
                INSERT INTO tickets_fts (tickets_fts, rowid, description, location, reporter, filters)
                SELECT 'delete', key, campusdesk_search_text(old.description), campusdesk_search_text(old.location),
                       campusdesk_search_text(old.reporter), campusdesk_search_filters(old.category, old.priority_rank, old.description, old.location, old.reporter)
                FROM ticket_search_keys
                WHERE ticket_id = old.id AND old.search_indexed = 1;
                DELETE FROM ticket_search_keys WHERE ticket_id = old.id;
            END;
            """),
        // At risk and on track in the priority order (issue 22, the staff's `sla=at_risk`): both read
        // the running timers' range of `tickets_by_sla_due` (a timer not yet due), which holds only
        // keys, so each candidate cost a seek into `tickets` for its timers and a wide row in the
        // sort (5.2 ms at 1,000,000 tickets). This partial index over tickets with a timer left to
        // meet holds, in the same leading key, every column the state's term, the list's row filters
        // and the priority order read (`priority` for the generated `priority_rank`): SQLite's
        // deferred seek reads them from the index, the candidates are sorted as keys, and only the
        // page's rows are read from `tickets`. (SQLite 3.40 never calls an index covering when a
        // query names a generated column, so the plan says INDEX, not COVERING INDEX.) Its WHERE is
        // `slaCandidates`' upper bound (`ListQuery.nothingDue`).
        Migration(version: 23, sql: """
            CREATE INDEX tickets_running_sla ON tickets (sla_next_due, priority_rank, opened_at, id, sla_version,
                sla_first_response_at_risk, sla_first_response_due, sla_first_response_met_at,
                sla_resolution_at_risk, sla_resolution_due, sla_resolution_met_at, status, category, severity, assignee_id, priority)
            WHERE sla_next_due < 999999999999999999;
            """),
    ]
}
