import Foundation
import Testing
import TestSupport
import Fixtures
@testable import Domain
@testable import SQLiteKit
@testable import TicketStore

/// Search through the index's vocabulary (migration 17, issue 22): each typed word becomes the whole
/// words it begins, which must find exactly the tickets the prefix query found. Checked against a
/// brute-force oracle (every ticket's indexed words, prefix-compared in Swift) over a few hundred
/// tickets: words, two words, short prefixes that begin many words (the prefix query again),
/// filters, both newest orders, paging forwards and backwards, the last page and the counts.
/// On threads of its own: imports and the search pass hold a thread in SQLite.
@Suite(.onDedicatedThreads) struct SearchExpansionTests {
    static let things = ["printer", "projector", "projectors", "Wi-Fi", "heating", "door lock", "lift", "library scanner", "window", "tap"]
    static let places = ["Library", "Physics building", "Main hall", "Canteen", "Café Nord", "Dorm A"]

    struct Row { var id: TicketID; var openedAt: Timestamp; var status: Status; var category: Category; var rank: Int64; var words: [String] }

    /// 300 tickets: 260 imported (then indexed by the background pass), some opened in the same
    /// millisecond, and 40 created live (indexed by the insert trigger), one of them edited after.
    static func world(_ f: StoreFixture) async throws -> [Row] {
        var rnd = SplitMix64(seed: 22)  // TestSupport's: the corpus is the same on every run
        let base = f.clock.now().adding(milliseconds: -90 * 86_400_000)
        var commands: [Command] = []
        for i in 0..<260 {
            let status: Status = [.open, .active, .closed][Int(rnd.next() % 3)]
            let opened = base.adding(milliseconds: Int64(i / 3) * 3_600_000)   // three per millisecond
            commands.append(Command(role: .agent, action: .importTicket(ImportTicket(
                description: "The \(things[Int(rnd.next() % 10)]) in room \(Int(rnd.next() % 40) + 1) is broken (\(i))",
                location: places[Int(rnd.next() % 6)], reporter: "Student \(i % 17)",
                category: Category.allCases[Int(rnd.next() % 3)], status: status, openedAt: opened,
                closedAt: status == .closed ? opened.adding(milliseconds: 1_000) : nil))))
        }
        _ = try await f.store.apply(commands)
        #expect(try await f.store.indexSearchBacklog(limit: 1_000) == 260)
        for i in 0..<40 {
            f.clock.advance(by: .seconds(60))
            _ = try await f.create("Live \(things[i % 10]) ticket \(i): projector library ελληνικά")
        }
        // Status, category and priority changed after the keys were written (migration 20's trigger
        // carries them to the search keys): a third of the live tickets and some imported ones.
        let ids = try Connection(path: f.path, mode: .readOnly).prepare("SELECT id, status FROM tickets WHERE status <> 'closed' ORDER BY id")
            .query([]) { (TicketID($0.int64(at: 0)), $0.text(at: 1)) }
        for (i, (id, status)) in ids.enumerated() where i % 3 == 0 {
            let priority = Priority.allCases[Int(rnd.next() % 4)]
            #expect(try await f.run(.agent, .setTriage(SetTriage(ticketID: id, priority: .pinned(priority)))).isApplied)
            if i % 2 == 0 { #expect(try await f.run(.agent, .setCategory(SetCategory(ticketID: id, category: Category.allCases[Int(rnd.next() % 3)]))).isApplied) }
            if i % 4 == 0 { #expect(try await f.run(.agent, .changeStatus(ChangeStatus(ticketID: id, status: status == "open" ? .active : .closed))).isApplied) }
        }
        return try rows(f)
    }

    /// The oracle's view of every ticket: its order, filters and indexed words.
    static func rows(_ f: StoreFixture) throws -> [Row] {
        let db = try Connection(path: f.path, mode: .readOnly)
        return try db.prepare("SELECT id, opened_at, status, category, priority_rank, description, location, reporter FROM tickets").query([]) { s in
            let words = (5...7).flatMap { SearchText.indexed(s.text(at: Int32($0))).split(separator: " ").map(String.init) }
            return Row(id: TicketID(s.int64(at: 0)), openedAt: Timestamp(millisecondsSinceEpoch: s.int64(at: 1)),
                       status: Status(rawValue: s.text(at: 2))!, category: Category(rawValue: s.text(at: 3))!, rank: s.int64(at: 4), words: words)
        }
    }

    /// The oracle: every query word begins some word of the ticket; the filter's statuses and category; newest (or oldest) first.
    static func expected(_ rows: [Row], _ filter: TicketFilter) -> [TicketID] {
        let words = SearchText.queryWords(filter.text ?? "")
        // A ticket number: that ticket and the tickets holding the number as a whole word.
        let number = FullTextQuery.ticketNumber(in: filter.text ?? "")
        let found = rows.filter { row in
            (filter.statuses.isEmpty || filter.statuses.contains(row.status)) && (filter.category == nil || filter.category == row.category)
                && (filter.priorities.isEmpty || filter.priorities.contains { Int64(TicketCursor.rank($0)) == row.rank })
                && (number.map { row.id == $0 || row.words.contains(words[0]) }
                    ?? words.allSatisfy { w in row.words.contains { $0.hasPrefix(w) } })
        }
        let sorted = found.sorted { ($0.openedAt.millisecondsSinceEpoch, $0.id.rawValue) > ($1.openedAt.millisecondsSinceEpoch, $1.id.rawValue) }
        switch filter.order {
        case .oldest: return sorted.reversed().map(\.id)
        case .priority:
            // The newest `searchPriorityWindow` matches (every one here), in the priority order.
            return sorted.prefix(TicketReader.searchPriorityWindow)
                .sorted { ($0.rank, $0.openedAt.millisecondsSinceEpoch, $0.id.rawValue) < ($1.rank, $1.openedAt.millisecondsSinceEpoch, $1.id.rawValue) }.map(\.id)
        case .status:
            return sorted.sorted { (TicketOrder.rank($0.status), -$0.openedAt.millisecondsSinceEpoch, -$0.id.rawValue) < (TicketOrder.rank($1.status), -$1.openedAt.millisecondsSinceEpoch, -$1.id.rawValue) }.map(\.id)
        default: return sorted.map(\.id)
        }
    }

    static let texts = ["projector", "projectors", "proj", "p", "room", "library", "projector library", "lib proj", "wifi", "wi-fi",
                        "fi", "door lock", "cafe", "café", "1", "12", "student 3", "ελληνικά", "ελλ", "zzz", "projector zzz", "broken (7)", "1 2", "12 room",
                        // The filter words (migration 22) and their parts are in no ticket's text: they find nothing.
                        "categoryit", "priority5", "category", "prio", "it"]

    @Test("a word, two words, short prefixes and filters find what the oracle finds, page by page both ways")
    func expansion_MatchesTheOracle() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let rows = try await Self.world(f)
        let reader = try TicketReader(path: f.path)
        let db = try Connection(path: f.path, mode: .readOnly)
        var filters: [TicketFilter] = []
        for text in Self.texts {
            for order in [TicketOrder.newest, .oldest, .priority, .status] {
                filters.append(TicketFilter(text: text, limit: 7, order: order))
                filters.append(TicketFilter(statuses: [.open], text: text, limit: 7, order: order))
                filters.append(TicketFilter(category: .it, text: text, limit: 7, order: order))
                filters.append(TicketFilter(statuses: [.open, .active], category: .facility, text: text, limit: 7, order: order))
                filters.append(TicketFilter(statuses: [.closed, .active], category: .it, text: text, limit: 7, order: order))
                // Priorities (a filter word each, migration 22), with a status and category, and "none".
                filters.append(TicketFilter(statuses: [.open, .active], category: .services, text: text, limit: 7, order: order, priorities: [.p1, .p3]))
                filters.append(TicketFilter(text: text, limit: 7, order: order, priorities: [nil]))
                filters.append(TicketFilter(statuses: [.closed], text: text, limit: 7, order: order))
            }
        }
        var nonEmpty = 0
        for filter in filters {
            let want = Self.expected(rows, filter)
            if !want.isEmpty { nonEmpty += 1 }
            // Forwards, page by page.
            var got: [TicketID] = []
            var pages: [[Ticket]] = []
            var page = filter
            while true {
                let p = try await reader.list(page)
                got += p.tickets.map(\.id)
                pages.append(p.tickets)
                guard let next = p.nextCursor else { break }
                page.cursor = next
            }
            #expect(got == want, "\(filter.text ?? "") \(filter.order) \(filter.statuses) \(String(describing: filter.category))")
            let count = try await reader.count(filter)
            #expect(count.total == want.count, "count of \(filter.text ?? "")")
            // Backwards: the page before each page's first row is the page read before it.
            for i in pages.indices.dropFirst() {
                guard let first = pages[i].first else { continue }
                let row = TicketCursor.of(order: filter.order, id: first.id, openedAt: first.openedAt, priority: first.priority,
                                          status: first.status, modifiedAt: first.modifiedAt, nextDue: TicketSLA.nextDue(of: first.sla))
                var back = filter
                back.cursor = try TicketReader.start(db, filter, anchor: .before(row), total: want.count)
                #expect(try await reader.list(back).tickets.map(\.id) == pages[i - 1].map(\.id), "before page \(i) of \(filter.text ?? "")")
                var position = filter
                position.cursor = pages[i - 1].last.map {
                    TicketCursor.of(order: filter.order, id: $0.id, openedAt: $0.openedAt, priority: $0.priority, status: $0.status,
                                    modifiedAt: $0.modifiedAt, nextDue: TicketSLA.nextDue(of: $0.sla))
                }
                #expect(try await reader.count(position).before == i * 7, "position of page \(i) of \(filter.text ?? "")")
            }
            // The last page holds what the pages from the first leave over.
            var last = filter
            last.cursor = try TicketReader.start(db, filter, anchor: .last, total: want.count)
            #expect(try await reader.list(last).tickets.map(\.id) == pages.last?.map(\.id), "last page of \(filter.text ?? "")")
        }
        #expect(nonEmpty > filters.count / 2)
    }

    @Test("the filter words (migration 22) follow every category and priority change, import and pass; the index checks whole")
    func filterWords_KeptInStep() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let rows = try await Self.world(f)
        let db = try Connection(path: f.path, mode: .readOnly)
        func found(_ word: String) throws -> Set<TicketID> {
            Set(try db.prepare("""
                SELECT k.ticket_id FROM tickets_fts JOIN ticket_search_keys k ON k.key = tickets_fts.rowid WHERE tickets_fts MATCH ?
                """).query([.text("filters : \"\(word)\"")]) { TicketID($0.int64(at: 0)) })
        }
        // No status words: a status change leaves the index alone.
        #expect(try found("statusopen").isEmpty)
        for category in Category.allCases {
            #expect(try found("category" + category.rawValue) == Set(rows.filter { $0.category == category }.map(\.id)), "\(category)")
        }
        for rank in 1...5 {
            #expect(try found("priority\(rank)") == Set(rows.filter { $0.rank == Int64(rank) }.map(\.id)), "\(rank)")
        }
        try Connection(path: f.path).execute("INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('integrity-check', 0)")
        // The page asks FTS5 for the filter: the expression carries it.
        let query = TicketReader.ListQuery(TicketFilter(statuses: [.open, .active], category: .facility, text: "projector", order: .newest, priorities: [.p2]),
                                           match: "\"projector\"")
        #expect(query.match == #"filters : ("cfacilityxprojector") AND filters : ("priority2")"#)
        // The compound tokens: a ticket's category joined with each word of its text, after every
        // category change (UPDATE of category re-indexes), import, pass and edit.
        for category in Category.allCases {
            for word in ["projector", "library", "wifi", "wi", "fi", "student", "12", "broken", "main"] {
                #expect(try found("c\(category.rawValue)x\(word)") == Set(rows.filter { $0.category == category && $0.words.contains(word) }.map(\.id)),
                        "\(category) \(word)")
            }
        }
        let greek = SearchText.queryWords("ελληνικά")[0]
        #expect(try found("cfacilityx" + greek) == Set(rows.filter { $0.category == .facility && $0.words.contains(greek) }.map(\.id)))
    }

    @Test("a category with text asks for the compound tokens alone; a word in another category's tickets only finds nothing")
    func compoundTokens_CategorySearch() async throws {
        // The expression: each quoted word prefixed, the operators kept; a word FTS5 would cut stays on the text columns.
        #expect(TicketReader.ListQuery(TicketFilter(category: .it, text: "wi proj"), match: #"("wi" OR "wifi") AND "proj"*"#).match
                == #"filters : (("citxwi" OR "citxwifi") AND "citxproj"*)"#)
        #expect(TicketReader.ListQuery(TicketFilter(category: .it, text: "#12"), match: #""12""#).match == #"filters : ("citx12")"#)
        #expect(TicketReader.ListQuery(TicketFilter(category: .it, text: "हिन्दी"), match: "\"हिन्दी\"*").match
                == "{description location reporter} : (\"हिन्दी\"*) AND filters : (\"categoryit\")")
        #expect(TicketReader.ListQuery(TicketFilter(text: "projector"), match: #""projector""#).match
                == #"{description location reporter} : ("projector")"#)
        // Each word's tokens once, in order; a word FTS5 cuts gives its pieces (SearchText.tokens).
        #expect(SearchFilters.indexed(category: "it", priorityRank: "5", texts: ["Wi-Fi down, wifi", nil, "Café"])
                == "categoryit priority5 citxwifi citxwi citxfi citxdown citxcafe")
        #expect(SearchFilters.indexed(category: "services", priorityRank: "1", texts: ["हिन्दी"])
                == "categoryservices priority1 " + SearchText.tokens(of: SearchText.indexed("हिन्दी")).dropFirst().map { "cservicesx" + $0 }.joined(separator: " "))

        let f = try StoreFixture()
        defer { f.dir.remove() }
        _ = try await Self.world(f)
        // Words of one category's tickets only: "quokka" in facility, "narwhal" in IT after a change
        // from facility (the UPDATE of category re-indexes), "okapi" moved twice.
        for (text, moves) in [("Quokka near the projector", [Category.facility]), ("quokkas by the library door", [.facility]),
                              ("Narwhal projector", [.facility, .it]), ("narwhal wi-fi", [.it]), ("Okapi in room 3", [.services, .it, .facility])] {
            f.clock.advance(by: .seconds(60))
            let id = try await f.create(text).id
            for category in moves {
                _ = try await f.run(.agent, .setCategory(SetCategory(ticketID: id, category: category)))
            }
        }
        let rows = try Self.rows(f)
        let reader = try TicketReader(path: f.path)
        // Words that begin words of one category's tickets only (not a ticket number, which finds its ticket too).
        var holders: [String: Set<Category>] = [:]
        for word in Set(rows.flatMap(\.words)) where FullTextQuery.ticketNumber(in: word) == nil {
            holders[word] = Set(rows.filter { $0.words.contains { $0.hasPrefix(word) } }.map(\.category))
        }
        let single = holders.filter { $0.value.count == 1 }.keys.sorted().prefix(40)
        #expect(["quokka", "narwhal", "okapi"].allSatisfy(single.contains))
        for word in single {
            let own = try #require(holders[word]?.first)
            for category in Category.allCases {
                for filter in [TicketFilter(category: category, text: word, limit: 7), TicketFilter(statuses: [.open], category: category, text: word, limit: 7),
                               TicketFilter(category: category, text: "\(word) room", limit: 7, order: .oldest)] {
                    let want = Self.expected(rows, filter)
                    if category != own { #expect(want.isEmpty) }
                    #expect(try await reader.list(filter).tickets.map(\.id) == Array(want.prefix(7)), "\(word) \(category)")
                    #expect(try await reader.count(filter).total == want.count, "count \(word) \(category)")
                }
            }
        }
    }

    @Test("similar tickets: each description word becomes the whole words it begins and finds what the prefix query found")
    func similar_ExpandsLikeTheSearchBox() async throws {
        #expect(FullTextQuery.similarExpression(location: "Main hall", text: "projector lamp xy") { $0 == "projector" ? ["projector", "projectors"] : nil }
                == #"location : ("main" AND "hall") AND description : ("projector" OR "projectors" OR "lamp"*)"#)
        let f = try StoreFixture()
        defer { f.dir.remove() }
        _ = try await Self.world(f)
        let reader = try TicketReader(path: f.path)
        let db = try Connection(path: f.path, mode: .readOnly)
        // The oracle: the prefix expression (no vocabulary), read the same way.
        func prefixed(_ location: String, _ text: String) throws -> [Int64] {
            guard let match = FullTextQuery.similarExpression(location: location, text: text) else { return [] }
            return try db.prepare("""
                SELECT t.id FROM (SELECT rowid AS key FROM tickets_fts WHERE tickets_fts MATCH ? ORDER BY rowid DESC LIMIT ?) m
                JOIN ticket_search_keys k ON k.key = m.key JOIN tickets t ON t.id = k.ticket_id
                WHERE t.status IN ('open', 'active') ORDER BY m.key DESC LIMIT 5
                """).query([.text(match), .integer(Int64(TicketReader.similarWindow))]) { $0.int64(at: 0) }
        }
        var found = 0
        for (location, text) in [("Library", "projector"), ("Main hall", "proj broken"), ("Dorm A", "the heating"), ("Café Nord", "wi-fi lift"),
                                 ("Physics building", "door lock"), ("Canteen", "zzz window"), ("Library", "ελληνικά")] {
            let got = try await reader.similarOpenTickets(location: location, text: text).map(\.id.rawValue)
            #expect(got == (try prefixed(location, text)), "\(location) \(text)")
            found += got.count
        }
        #expect(found > 10)
    }

    @Test("the migration gives the filter words to the tickets already indexed, and none to those waiting for the pass")
    func filterWords_Migration() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path + "/tickets.db"
        do {
            let db = try Connection(path: path)
            try SearchText.register(on: db)
            _ = try db.migrate(Array(TicketSchema.migrations.prefix { $0.version < 22 }))
            try db.execute("""
                INSERT INTO tickets (description, location, category, category_source, status, opened_at, modified_at, closed_at, search_indexed)
                VALUES ('Projector flickers', 'Hall', 'it', 'auto', 'open', 1000, 1000, NULL, 1),
                       ('Projector stand broken', 'Hall', 'facility', 'staff', 'closed', 2000, 2000, 2500, 1),
                       ('Projector cable', 'Hall', 'facility', 'staff', 'open', 3000, 3000, NULL, 0)
                """)
            _ = try db.migrate(TicketSchema.migrations)
            try db.execute("INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('integrity-check', 0)")
        }
        let reader = try TicketReader(path: path)
        #expect(try await reader.list(TicketFilter(category: .facility, text: "projector")).tickets.map(\.id.rawValue) == [2])
        #expect(try await reader.list(TicketFilter(statuses: [.open], text: "projector")).tickets.map(\.id.rawValue) == [1])
        #expect(try await reader.count(TicketFilter(category: .it, text: "projector")).total == 1)
    }

    @Test("a search in priority order ranks its newest 1,000 matches: an older urgent ticket waits, the count says more than 1,000")
    func priorityOrder_RanksTheNewestWindow() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        let base = f.clock.now().adding(milliseconds: -90 * 86_400_000)
        let n = TicketReader.searchPriorityWindow + 30
        _ = try await f.store.apply((0..<n).map { i in
            Command(role: .agent, action: .importTicket(ImportTicket(description: "Projector \(i) broken", location: "Hall", reporter: "Student",
                                                                      category: .it, status: .open, openedAt: base.adding(milliseconds: Int64(i) * 60_000))))
        })
        #expect(try await f.store.indexSearchBacklog(limit: 2_000) == n)
        // Urgent: ticket 11 (outside the window: older than the newest 1,000), and two inside it.
        for id in [11, 40, 900] {
            #expect(try await f.run(.agent, .setTriage(SetTriage(ticketID: TicketID(Int64(id)), priority: .pinned(.p1)))).isApplied)
        }
        let reader = try TicketReader(path: f.path)
        let filter = TicketFilter(statuses: [.open, .active], text: "projector", limit: 50, order: .priority)
        let first = try await reader.list(filter)
        // Newest 1,000 = tickets 31...1030: the urgent ones among them first, then the rest oldest first.
        #expect(first.tickets.map(\.id.rawValue).prefix(4) == [40, 900, 31, 32])
        var all: [Int64] = []
        var page = filter
        while true {
            let p = try await reader.list(page)
            all += p.tickets.map(\.id.rawValue)
            guard let next = p.nextCursor else { break }
            page.cursor = next
        }
        #expect(all.count == TicketReader.searchPriorityWindow)
        #expect(!all.contains(11))
        #expect(try await reader.count(filter).total == nil)
        // Narrowed below the cap, the order is whole: the oldest urgent ticket comes first.
        // ("10" begins the numbers of tickets 11, 101...110 and 1001...1030.)
        let few = TicketFilter(statuses: [.open, .active], text: "projector 10", limit: 50, order: .priority)
        #expect(try await reader.list(few).tickets.map(\.id.rawValue).prefix(3) == [11, 101, 102])
    }

    @Test("words become the whole words they begin; a word that begins many, or none, stays a prefix")
    func expansion_Expressions() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        _ = try await Self.world(f)
        let db = try Connection(path: f.path, mode: .readOnly)
        #expect(try TicketReader.searchMatch(db, "projectors") == "\"projector\"")
        #expect(try TicketReader.searchMatch(db, "Wi-Fi library") == "\"wifi\" AND \"library\"")
        #expect(try TicketReader.searchMatch(db, "lock door") == "\"lock\" AND \"door\"")
        #expect(try TicketReader.searchMatch(db, "wi") == "(\"wi\" OR \"wifi\" OR \"window\")")
        // More than 16 words begin with "1" (rooms, numbers): the prefix query.
        #expect(try TicketReader.searchMatch(db, "1 room") == "\"1\"* AND \"room\"")
        // No word: nothing to read either way.
        #expect(try TicketReader.searchMatch(db, "zzz") == "\"zzz\"*")
        // Other letters stay prefixes (FTS5's tokenizer decides their words).
        #expect(try TicketReader.searchMatch(db, "ελλ") == "\"ελλ\"*")
        #expect(try TicketReader.searchMatch(db, "#12") == "\"12\"")
        #expect(try TicketReader.searchMatch(db, "  ") == nil)
        #expect(try TicketReader.searchMatch(db, nil) == nil)
        // FTS5 syntax in the text is only words.
        #expect(try TicketReader.searchMatch(db, "\"proj\" OR NEAR(x") == "\"projector\" AND \"or\"* AND \"near\"* AND \"x\"*")
    }

    @Test("the vocabulary follows live tickets, edits and the pass, and the migration fills it from the index")
    func vocabulary_KeptInStep() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        _ = try await Self.world(f)
        let words = { () throws -> Set<String> in
            Set(try Connection(path: f.path, mode: .readOnly).prepare("SELECT word FROM search_words").query([]) { $0.text(at: 0) })
        }
        let index = try Connection(path: f.path, mode: .readOnly)
        // The text columns' terms: `filters` holds the filter words (migration 22), never typed.
        try index.execute("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, tickets_fts, col)")
        let terms = Set(try index.prepare("SELECT term FROM temp.terms WHERE col <> 'filters'").query([]) { $0.text(at: 0) })
        #expect(terms.isSubset(of: try words()))
        #expect(try words().isSuperset(of: ["projector", "wifi", "wi", "fi", "cafe", "nord", "student", "ελληνικα"]))
        let t = try await f.create("Zebra crossing paint gone")
        #expect(try words().contains("zebra"))
        _ = try await f.run(.agent, .editTicket(EditTicket(ticketID: t.id, description: "Yak shaving machine jammed")))
        #expect(try words().contains("yak"))
        #expect(try await StoreFixture.search(f.path, "yak") == [t.id])
        #expect(try await StoreFixture.search(f.path, "zebra").isEmpty)
    }

    @Test("words with marks: the vocabulary holds the tokens FTS5 cuts them into, so a typed word finds them")
    func vocabulary_HoldsFTS5Tokens() async throws {
        let f = try StoreFixture()
        defer { f.dir.remove() }
        // FTS5 (unicode61) keeps only letters and numbers in a token: a vowel sign or a
        // circled letter cut the word. "yzzz" begins with "yz" too: "yz" must still find the first ticket.
        let marked = try await f.create("कमरा12 हिन्दी ⓐyz aⓐb broken")
        let other = try await f.create("yzzz broken")
        let index = try Connection(path: f.path, mode: .readOnly)
        // The text columns' terms: `filters` holds the filter words (migration 22), never typed.
        try index.execute("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, tickets_fts, col)")
        let terms = Set(try index.prepare("SELECT term FROM temp.terms WHERE col <> 'filters'").query([]) { $0.text(at: 0) })
        let words = Set(try index.prepare("SELECT word FROM search_words").query([]) { $0.text(at: 0) })
        #expect(terms.isSuperset(of: ["yz", "12", "b"]))
        #expect(terms.isSubset(of: words), "missing: \(terms.subtracting(words))")
        #expect(try await StoreFixture.search(f.path, "yz").sorted() == [marked.id, other.id].sorted())
        #expect(try await StoreFixture.search(f.path, "12") == [marked.id])
        #expect(SearchText.tokens(of: "ⓐyz") == ["ⓐyz", "yz"])
        #expect(SearchText.tokens(of: "ελληνικα") == ["ελληνικα"])
    }
}
