import Foundation
import SQLiteKit
import Domain
import TicketStore
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk-bench scale`: issue 22's scaling table (usage in ``ScaleOptions/usage``).
///
/// Why the whole system: the table is meant to show how what users and operators run grows with
/// the number of tickets, so every figure comes from the real release processes (the `campusdesk`
/// beside this binary, all eight Procfile services) loaded through the real import, and from the
/// shipped operator commands (`import`, `export`, `backup`), each run as its own process so its
/// peak memory is its own (`ru_maxrss` from `wait4`).
enum BenchScaleCommand {
    static let engineers = 10
    /// The reporter key of the bench's own reports: its notifications fill the inbox measured.
    /// 32 lower-case hex digits: a valid `cd_browser` id too, so `/notifications` shows the same inbox.
    static let reporterKey = "5ca1e5ca1e5ca1e5ca1e5ca1e5ca1e00"
    static let apiStaff = "X-CampusDesk-Role: staff\r\n"
    static let pageStaff = "Cookie: cd_role=staff; cd_browser=\(String(repeating: "0123456789abcdef", count: 2))\r\n"

    static func run(_ args: [String]) async -> Int32 {
        guard let options = ScaleOptions.parse(args) else {
            FileHandle.standardError.write(Data(ScaleOptions.usage.utf8))
            return 64
        }
        let executable: String
        do {
            let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            executable = ((own as NSString).deletingLastPathComponent as NSString).appendingPathComponent("campusdesk")
        } catch {
            FileHandle.standardError.write(Data("bench scale: cannot find own executable: \(error)\n".utf8))
            return 1
        }
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            FileHandle.standardError.write(Data("bench scale: no campusdesk at \(executable); build it first (swift build -c release)\n".utf8))
            return 1
        }
        let started = Date()
        say("bench scale: \(options.sizes.map(ScaleTable.grouped).joined(separator: ", ")) tickets; \(executable); \(options.connections) connections × \(options.seconds) s per page; load average \(BenchUploadsCommand.loadAverage())")
        var table = ScaleTable(sizes: options.sizes)
        var status: Int32 = 0
        for n in options.sizes {
            let run = ScaleRun(size: n, options: options, executable: executable)
            do {
                try await run.measure(into: &table)
            } catch {
                FileHandle.standardError.write(Data("bench scale (\(n) tickets): \(error)\n".utf8))
                table.note("run", .text, size: n, "failed: \(String(describing: error).prefix(80))")
                status = 1
            }
            await run.world.stopAll()
            run.cleanUp()
        }
        // A failed page or command is a note; "bulk load, not run" is not a failure.
        if table.rows.contains(where: { $0.notes.values.contains { !$0.hasPrefix("bulk") } }) { status = 1 }
        let machine = "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GB"
        let text = """
            campusdesk-bench scale --tickets \(options.sizes.map(String.init).joined(separator: ",")) (\(options.connections) connections × \(options.seconds) s per page; \(machine); \(ISO8601DateFormatter().string(from: started)) to \(ISO8601DateFormatter().string(from: Date())); load average at the end \(BenchUploadsCommand.loadAverage()))
            Latency cells: p50 / p99 ms · requests per second. Memory: peak (VmHWM, ru_maxrss) or resident (VmRSS) in MB. ⚠: a page that should not depend on the number of tickets grew more than ×\(Int(ScaleTable.flatLimit)).

            \(table.markdown())
            """
        print(text)
        if let path = options.output {
            do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                FileHandle.standardError.write(Data("bench scale: cannot write \(path): \(error)\n".utf8))
                status = 1
            }
        }
        return status
    }

    static func say(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}

/// One size: its directory, its processes, its measures.
final class ScaleRun {
    let size: Int
    let options: ScaleOptions
    let executable: String
    let world: BenchAnalyticsRoundTripCommand.World
    let spool: String
    var root: String { world.root }
    /// Gateways that died under load and were started again.
    var deaths = 0

    init(size: Int, options: ScaleOptions, executable: String) {
        self.size = size
        self.options = options
        self.executable = executable
        let id = "campusdesk-bench-scale-\(getpid())-\(size)"
        world = BenchAnalyticsRoundTripCommand.World(root: NSTemporaryDirectory() + id, tickets: size, executable: executable)
        spool = (options.spoolParent as NSString).appendingPathComponent(id)
        world.spoolOverride = spool
    }

    func cleanUp() {
        guard !options.keep else {
            BenchScaleCommand.say("kept \(root) and \(spool)")
            return
        }
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.removeItem(atPath: spool)
    }

    func say(_ line: String) { BenchScaleCommand.say("[\(ScaleTable.short(size))] " + line) }

    /// The environment of a command-line tool run against this size's directories.
    func environment(data: String? = nil) -> [String] {
        var env = ProcessInfo.processInfo.environment
        env["CAMPUSDESK_SPOOL"] = world.spool
        env["CAMPUSDESK_DATA"] = data ?? world.data
        env["CAMPUSDESK_TZ"] = "UTC"
        return env.map { "\($0.key)=\($0.value)" }
    }

    func measure(into table: inout ScaleTable) async throws {
        let n = size
        let fm = FileManager.default
        try fm.createDirectory(atPath: world.data, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: spool, withIntermediateDirectories: true)
        setenv("CAMPUSDESK_ATTACHMENT_MAX_TICKET_BYTES", String(1 << 40), 1)
        setenv("CAMPUSDESK_ATTACHMENT_MAX_TOTAL_BYTES", String(1 << 50), 1)

        // 1. The eight processes of the Procfile (with --bulk, on a tickets.db already written), then
        //    the engineers the import assigns to.
        if options.bulk {
            let start = BenchAnalyticsRoundTripCommand.nanos()
            try BenchAnalyticsRoundTripCommand.BulkTickets.write(path: world.data + "/tickets.db", count: n,
                                                                  now: Timestamp(millisecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1000)))
            say(String(format: "bulk-loaded %d tickets in %.1f s", n, Double(BenchAnalyticsRoundTripCommand.nanos() - start) / 1e9))
        }
        try world.start("ticket-worker", ["ticket-worker"], port: nil)
        for service in AnalyticsService.allCases { try world.start(service.rawValue, ["analytics", service.rawValue], port: nil) }
        try world.start("sla-monitor", ["sla-monitor"], port: nil)
        try world.start("notifier", ["notifier"], port: nil)
        let port = try world.freePort()
        try world.start("gateway", ["gateway"], port: port)
        let probe = try await world.connect(port: port)
        // At a million tickets the fresh workers' replays keep the ticket worker busy for minutes.
        let patience = UInt64(max(120, n / 1_000))
        try await world.waitReady(probe, probe: "/readyz", within: patience)
        probe.close()
        var engineerIDs: [Int64] = []
        for e in 1...BenchScaleCommand.engineers {
            let r = try MeasuredRun.run(executable, ["users", "add", "--role", "engineer", "--email", "engineer\(e)@bench.example",
                                                     "--name", "Engineer \(e)", "--no-password", "--wait", String(patience)],
                                        environment: environment(), stderr: root + "/users.log")
            guard r.status == 0 else { throw BenchAnalyticsRoundTripCommand.BenchError("users add answered \(r.status): \(tail(root + "/users.log"))") }
        }
        engineerIDs = try readOnly { db in try db.prepare("SELECT id FROM users WHERE role = 'engineer' ORDER BY id").query([]) { $0.int64(at: 0) } }

        // 2. Import N tickets with the shipped command.
        if options.bulk {
            for row in ["import: time", "import: tickets per second", "import: peak memory"] { table.note(row, .text, size: n, "bulk load, not run") }
        } else {
            try importTickets(engineers: engineerIDs, into: &table)
        }

        // 3. Wait for the search backlog and the analytics workers (what the pages read).
        try await waitForQuiet()
        try await measureRunning(port: port, engineers: engineerIDs, into: &table)
    }

    func importTickets(engineers engineerIDs: [Int64], into table: inout ScaleTable) throws {
        let n = size
        let fm = FileManager.default
        let csv = root + "/tickets.csv"
        try ScaleData.writeCSV(path: csv, count: n, engineers: engineerIDs)
        say("importing \(n) tickets (\(fileSize(csv) / 1_000_000) MB CSV)")
        let imported = try MeasuredRun.run(executable, ["import", csv, "--wait", "900"], environment: environment(),
                                           stdout: root + "/import.out", stderr: root + "/import.log")
        guard imported.status == 0 else { throw BenchAnalyticsRoundTripCommand.BenchError("import exited \(imported.status): \(tail(root + "/import.log"))") }
        try? fm.removeItem(atPath: csv)
        table.set("import: time", .seconds, size: n, [imported.seconds])
        table.set("import: tickets per second", .perSecond, size: n, [Double(n) / imported.seconds])
        table.set("import: peak memory", .kilobytes, size: n, [Double(imported.maxRSSKilobytes)])
        say(String(format: "imported in %.1f s, peak %d kB", imported.seconds, imported.maxRSSKilobytes))
    }

    func measureRunning(port: UInt16, engineers engineerIDs: [Int64], into table: inout ScaleTable) async throws {
        let n = size
        let fm = FileManager.default
        // 4. Attachments through the upload path, spread over the tickets.
        let files = options.attachmentCount(for: n)
        if files > 0 {
            let step = max(1, n / files)
            let uploads = (0..<files).map { k in
                (method: "POST", path: "/api/tickets/\(1 + (k * step) % n)/attachments",
                 headers: BenchUploadsCommand.headers.replacingOccurrences(of: "X-CampusDesk-Role: customer", with: "X-CampusDesk-Role: staff"),
                 body: BenchUploadsCommand.body(BenchUploadsCommand.photo(bytes: 24_000, seed: UInt64(k) &+ 0xC0FFEE)))
            }
            let (r, _) = await ScaleLoad.batch(port: port, requests: uploads, connections: options.connections) { $0 == 201 }
            if let f = r.failure { table.note("upload 24 kB JPEG (\(files) of them, one per \(step) tickets)", .latency, size: n, f) }
            table.set("upload 24 kB JPEG (one per ~300 tickets)", .latency, size: n, r.figures)
            table.set("attachment files", .count, size: n, [Double(files)])
            say("uploaded \(files) attachments: \(Int(r.perSecond))/s")
        }

        // 5. Commands through the gateway: new reports (with a reporter key: the inbox fills), then their status changes.
        let reports = (0..<options.commands).map { k in
            (method: "POST", path: "/api/tickets",
             headers: "Content-Type: application/json\r\nX-CampusDesk-Reporter-Key: \(BenchScaleCommand.reporterKey)\r\n",
             body: Array(#"{"description":"The projector in room \#(k % 400) flickers when the HDMI cable moves","location":"Main hall, room \#(k % 400)","reporter":"Bench \#(k)"}"#.utf8))
        }
        let (created, bodies) = await ScaleLoad.batch(port: port, requests: reports, connections: options.connections) { $0 == 201 }
        table.set("command: new report (POST /api/tickets)", .latency, size: n, created.figures)
        if let f = created.failure { table.note("command: new report (POST /api/tickets)", .latency, size: n, f) }
        let newIDs = bodies.values.compactMap { body -> Int? in
            (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["id"] as? Int
        }.sorted()
        let changes = newIDs.map { id in
            (method: "PUT", path: "/api/tickets/\(id)/status", headers: "Content-Type: application/json\r\n" + BenchScaleCommand.apiStaff,
             body: Array(#"{"status":"active"}"#.utf8))
        }
        let (changed, _) = await ScaleLoad.batch(port: port, requests: changes, connections: options.connections) { $0 == 200 }
        table.set("command: status change (PUT /api/tickets/{id}/status)", .latency, size: n, changed.figures)
        if let f = changed.failure { table.note("command: status change (PUT /api/tickets/{id}/status)", .latency, size: n, f) }
        say("commands: \(Int(created.perSecond)) reports/s, \(Int(changed.perSecond)) status changes/s")
        try await waitForQuiet()

        // 6. Every page and API list.
        try await measurePages(port: port, newestReport: newIDs.last ?? 1, engineer: engineerIDs.first ?? 1, into: &table)

        // 7. Each process's memory after the load.
        for child in world.children {
            let s = BenchUploadsCommand.status(child.process.processIdentifier)
            table.set("\(child.name): resident (VmRSS)", .kilobytes, size: n, [Double(s.rss)])
            table.set("\(child.name): peak (VmHWM)", .kilobytes, size: n, [Double(s.hwm)])
            // Resident minus the pages of mapped files (tickets.db through mmap_size): the heap's share.
            table.set("\(child.name): resident anonymous (RssAnon)", .kilobytes, size: n, [Double(anonymous(child.process.processIdentifier))])
        }
        table.set("tickets.db + -wal size", .kilobytes, size: n, [Double(fileSize(world.data + "/tickets.db") + fileSize(world.data + "/tickets.db-wal")) / 1024])

        // 8. Export, backup (online, with the attachments), then restore into a new data directory.
        let export = try MeasuredRun.run(executable, ["export"], environment: environment(), stdout: root + "/export.csv", stderr: root + "/export.log")
        guard export.status == 0 else { throw BenchAnalyticsRoundTripCommand.BenchError("export exited \(export.status): \(tail(root + "/export.log"))") }
        table.set("export: time", .seconds, size: n, [export.seconds])
        table.set("export: peak memory", .kilobytes, size: n, [Double(export.maxRSSKilobytes)])
        try? fm.removeItem(atPath: root + "/export.csv")
        let backupDir = root + "/backup"
        let backup = try MeasuredRun.run(executable, ["backup", backupDir], environment: environment(), stdout: root + "/backup.out", stderr: root + "/backup.log")
        guard backup.status == 0 else { throw BenchAnalyticsRoundTripCommand.BenchError("backup exited \(backup.status): \(tail(root + "/backup.log"))") }
        table.set("backup: time (online, with attachments)", .seconds, size: n, [backup.seconds])
        table.set("backup: peak memory", .kilobytes, size: n, [Double(backup.maxRSSKilobytes)])
        table.set("backup: size", .kilobytes, size: n, [Double(directorySize(backupDir)) / 1024])
        say(String(format: "export %.1f s (%d kB), backup %.1f s (%d kB)", export.seconds, export.maxRSSKilobytes, backup.seconds, backup.maxRSSKilobytes))
        await world.stopAll()

        let restored = root + "/restored"
        try fm.createDirectory(atPath: restored, withIntermediateDirectories: true)
        let copyStart = BenchAnalyticsRoundTripCommand.nanos()
        for name in ["tickets.db", "notifications.db"] where fm.fileExists(atPath: backupDir + "/" + name) {
            try fm.copyItem(atPath: backupDir + "/" + name, toPath: restored + "/" + name)
        }
        let copySeconds = Double(BenchAnalyticsRoundTripCommand.nanos() - copyStart) / 1e9
        let restore = try MeasuredRun.run(executable, ["backup", "--restore-attachments", backupDir], environment: environment(data: restored),
                                          stdout: root + "/restore.out", stderr: root + "/restore.log")
        guard restore.status == 0 else { throw BenchAnalyticsRoundTripCommand.BenchError("restore exited \(restore.status): \(tail(root + "/restore.log"))") }
        table.set("restore: time (copy tickets.db + --restore-attachments)", .seconds, size: n, [copySeconds + restore.seconds])
        table.set("restore: peak memory of --restore-attachments", .kilobytes, size: n, [Double(restore.maxRSSKilobytes)])
        let count = try readOnly(restored + "/tickets.db") { db in try db.prepare("SELECT count(*) FROM tickets").queryFirst { $0.int64(at: 0) } ?? 0 }
        guard count == Int64(n + newIDs.count) else {
            throw BenchAnalyticsRoundTripCommand.BenchError("the restored tickets.db has \(count) tickets, not \(n + newIDs.count)")
        }
        say(String(format: "restore %.1f s (%d kB); %lld tickets in the restored copy", copySeconds + restore.seconds, restore.maxRSSKilobytes, count))
    }

    // MARK: Pages

    func measurePages(port: UInt16, newestReport: Int, engineer: Int64, into table: inout ScaleTable) async throws {
        let n = size
        // Positions deep in the list: the API's next_cursor after 20 pages of 50, and of a search.
        let deep = try cursor(port: port, query: "", pages: 20)
        let deepSearch = try cursor(port: port, query: "q=projector&", pages: 5)
        let middle = max(1, n / 2)
        let staff = BenchScaleCommand.pageStaff, api = BenchScaleCommand.apiStaff
        let reporter = "Cookie: cd_role=user; cd_name=Bench; cd_browser=\(BenchScaleCommand.reporterKey)\r\n"
        let reporterAPI = "X-CampusDesk-Reporter-Key: \(BenchScaleCommand.reporterKey)\r\n"
        var pages: [(name: String, path: String, headers: String, flat: Bool)] = [
            ("GET /tickets (staff, newest first)", "/tickets", staff, true),
            ("/tickets?status=open", "/tickets?status=open", staff, true),
            ("/tickets?status=open,active", "/tickets?status=open,active", staff, true),
            ("/tickets?status=closed", "/tickets?status=closed", staff, true),
            ("/tickets?category=it", "/tickets?category=it", staff, true),
            ("/tickets?severity=critical", "/tickets?severity=critical", staff, true),
            ("/tickets?priority=P1", "/tickets?priority=P1", staff, true),
            ("/tickets?priority=none", "/tickets?priority=none", staff, true),
            ("/tickets?confidence=low", "/tickets?confidence=low", staff, true),
            ("/tickets?sla=breached", "/tickets?sla=breached", staff, true),
            ("/tickets?sla=at_risk", "/tickets?sla=at_risk", staff, true),
            ("/tickets?assigned_to=ENGINEER", "/tickets?assigned_to=\(engineer)", staff, true),
            ("/tickets?assigned_to=none", "/tickets?assigned_to=none", staff, true),
            ("/tickets?status=open&category=it&sort=priority", "/tickets?status=open&category=it&sort=priority", staff, true),
        ]
        for sort in ["oldest", "priority", "due", "number", "number-desc", "activity", "activity-asc", "status"] {
            pages.append(("/tickets?sort=\(sort)", "/tickets?sort=\(sort)", staff, true))
        }
        pages += [
            ("/tickets, page 21 (cursor)", "/tickets?cursor=\(deep)", staff, true),
            ("/tickets?page=last", "/tickets?page=last", staff, true),
            ("/tickets?sort=priority&page=last", "/tickets?sort=priority&page=last", staff, true),
            ("GET /tickets/{id} (staff, a ticket page)", "/tickets/\(middle)", staff, true),
            ("GET /tickets/new (report form)", "/tickets/new", "", true),
            ("GET /dashboard", "/dashboard", staff, true),
            ("GET /dashboard/service-levels", "/dashboard/service-levels", staff, true),
            ("GET /notifications (reporter's inbox)", "/notifications", reporter, true),
            ("GET /api/tickets (staff)", "/api/tickets", api, true),
            ("/api/tickets?status=open", "/api/tickets?status=open", api, true),
            ("/api/tickets?category=it&status=open,active", "/api/tickets?category=it&status=open,active", api, true),
            ("/api/tickets?sort=priority", "/api/tickets?sort=priority", api, true),
            ("/api/tickets?sort=due", "/api/tickets?sort=due", api, true),
            ("/api/tickets?sla=breached", "/api/tickets?sla=breached", api, true),
            ("/api/tickets?assigned_to=none", "/api/tickets?assigned_to=none", api, true),
            ("/api/tickets, page 21 (cursor)", "/api/tickets?cursor=\(deep)", api, true),
            ("/api/tickets/unassigned", "/api/tickets/unassigned", api, true),
            ("/api/tickets/assigned/ENGINEER", "/api/tickets/assigned/\(engineer)", api, true),
            ("/api/tickets/{id}", "/api/tickets/\(middle)", api, true),
            ("/api/tickets/{id}/history", "/api/tickets/\(newestReport)/history", api, true),
            ("/api/tickets/{id}/attachments", "/api/tickets/1/attachments", api, true),
            ("/api/tickets/similar?location=…&text=projector", "/api/tickets/similar?location=Main+hall&text=projector+flickers", api, true),
            ("/api/analytics/open-tickets?days=30", "/api/analytics/open-tickets?days=30", api, true),
            ("/api/analytics/resolution-time", "/api/analytics/resolution-time", api, true),
            ("/api/analytics/category-load", "/api/analytics/category-load", api, true),
            ("/api/analytics/service-levels", "/api/analytics/service-levels", api, true),
            ("/api/notifications (reporter's)", "/api/notifications", reporterAPI, true),
        ]
        // The searches last: where they are slow they can hold the gateway's readers past the run.
        pages += [
            ("/tickets?q=projector (1 in 10)", "/tickets?q=projector", staff, true),
            ("/tickets?q=projector+library (two words)", "/tickets?q=projector+library", staff, true),
            ("/tickets?q=projector&status=open", "/tickets?q=projector&status=open", staff, true),
            ("/tickets?q=projector&category=facility", "/tickets?q=projector&category=facility", staff, true),
            ("/tickets?q=projector, page 6 (cursor)", "/tickets?q=projector&cursor=\(deepSearch)", staff, true),
            ("/tickets?q=zebra (no match)", "/tickets?q=zebra", staff, true),
            ("/api/tickets?q=projector", "/api/tickets?q=projector", api, true),
            ("/api/tickets?q=projector+library", "/api/tickets?q=projector+library", api, true),
        ]
        for page in pages {
            try world.checkChildren()
            let r = await ScaleLoad.drive(port: port, path: page.path, headers: page.headers, connections: options.connections, seconds: options.seconds)
            if let death = try await restartGatewayIfDead(port: port) {
                table.note(page.name, .latency, flat: page.flat, size: n, "gateway died (\(death))")
            } else if let f = r.failure, r.requests == 0 {
                // No answer in 30 s: the gateway's readers are still busy with the abandoned queries
                // (a client that leaves does not stop its SQL), so every later page would time out too.
                // A new gateway keeps the rest of the table measurable.
                if f == "timeout", let g = world.children.first(where: { $0.name == "gateway" })?.process {
                    kill(g.processIdentifier, SIGKILL)
                    g.waitUntilExit()
                    _ = try await restartGatewayIfDead(port: port)
                    table.note(page.name, .latency, flat: page.flat, size: n, "over 30 s (gateway restarted)")
                } else {
                    table.note(page.name, .latency, flat: page.flat, size: n, f)
                }
            } else {
                table.set(page.name, .latency, flat: page.flat, size: n, r.figures)
            }
            say("\(page.name): " + ScaleTable.format(r.figures, .latency) + (r.failure.map { " (\($0))" } ?? ""))
        }
    }

    /// When the gateway died under a page: keeps its log as `gateway-died-K.log`, starts a new one
    /// on the same port (as `campusdesk up` would), and says how it ended.
    func restartGatewayIfDead(port: UInt16) async throws -> String? {
        guard let index = world.children.firstIndex(where: { $0.name == "gateway" }), !world.children[index].process.isRunning else { return nil }
        let p = world.children[index].process
        let how = p.terminationReason == .uncaughtSignal ? "signal \(p.terminationStatus)\(p.terminationStatus == SIGILL ? ", a Swift trap" : "")" : "exit \(p.terminationStatus)"
        deaths += 1
        let kept = root + "/gateway-died-\(deaths).log"
        try? FileManager.default.moveItem(atPath: root + "/gateway.log", toPath: kept)
        say("the gateway died (\(how)); its log: \(kept) (last lines:)\n" + tail(kept))
        world.children.remove(at: index)
        try world.start("gateway", ["gateway"], port: port)
        let probe = try await world.connect(port: port)
        defer { probe.close() }
        try await world.waitReady(probe, probe: "/readyz")
        return how
    }

    /// The `next_cursor` after `pages` pages of `/api/tickets?<query>`.
    func cursor(port: UInt16, query: String, pages: Int) throws -> String {
        let c = try BenchHTTPClient(port: port)
        defer { c.close() }
        var cursor = ""
        for _ in 0..<pages {
            let path = "/api/tickets?\(query)limit=50" + (cursor.isEmpty ? "" : "&cursor=\(cursor)")
            let r = try c.request("GET", path, headers: BenchScaleCommand.apiStaff)
            guard r.status == 200, let json = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any],
                  let next = json["next_cursor"] as? String else { break }
            cursor = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? next
        }
        return cursor
    }

    // MARK: Waiting

    /// Until the ticket worker has indexed its search backlog, every analytics worker has applied
    /// the last event, and `commands` is empty.
    func waitForQuiet() async throws {
        let deadline = BenchAnalyticsRoundTripCommand.nanos() + UInt64(max(180, size / 2_000)) * 1_000_000_000
        let start = BenchAnalyticsRoundTripCommand.nanos()
        while true {
            try world.checkChildren()
            let last = try readOnly { db in try db.prepare("SELECT coalesce(max(seq), 0) FROM events").queryFirst { $0.int64(at: 0) } ?? 0 }
            let behind = AnalyticsService.allCases.filter { (world.lastSeq($0) ?? 0) < last }
            let backlog = try readOnly { db in
                try db.prepare("SELECT count(*) FROM tickets WHERE search_indexed = 0").queryFirst { $0.int64(at: 0) } ?? 0
            }
            if behind.isEmpty && backlog == 0 { break }
            guard BenchAnalyticsRoundTripCommand.nanos() < deadline else {
                say("still behind after the wait: analytics \(behind.map(\.rawValue)), search backlog \(backlog); measuring anyway")
                break
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        say(String(format: "quiet after %.1f s", Double(BenchAnalyticsRoundTripCommand.nanos() - start) / 1e9))
    }

    // MARK: Files

    func readOnly<T>(_ path: String? = nil, _ body: (Connection) throws -> T) throws -> T {
        let db = try Connection(path: path ?? world.data + "/tickets.db", mode: .readOnly)
        try db.execute("PRAGMA busy_timeout = 5000")
        return try body(db)
    }

    /// `RssAnon` of `/proc/<pid>/status` in kB.
    func anonymous(_ pid: Int32) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("RssAnon:") }) else { return -1 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    func directorySize(_ path: String) -> Int {
        guard let e = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total = 0
        while let name = e.nextObject() as? String { total += fileSize(path + "/" + name) }
        return total
    }

    func tail(_ path: String) -> String {
        String(((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").suffix(600))
    }
}
