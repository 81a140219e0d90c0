import Domain
import SpoolBroker
import TicketStore
import Supervisor
import Operations
import ServiceLifecycle
import HTTPServer
import Foundation

/// `campusdesk demo [--count N] [--seed S] [--wait SECONDS]`: a realistic history into the running system.
///
/// `DemoHistory.generate` builds the tickets (the same seed gives the same history); they go to the
/// ticket worker as `import_ticket` commands through the same client as `import`, with a progress
/// bar on a terminal and plain periodic lines otherwise. Exit 0 when every ticket was applied.
enum DemoCommand {
    static let usage = "usage: campusdesk demo [--count N] [--seed S] [--wait SECONDS]\n"
    /// The seed used when none is given, so two fresh demos look the same.
    static let defaultSeed: UInt64 = 2026

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk demo", usage: usage) { args throws(CommandLineError) in
            var count = DemoHistory.defaultCount
            var seed = defaultSeed
            var wait = 120
            while let arg = args.next() {
                switch arg {
                case "--count": count = try args.integer(of: arg, in: 1...1_000_000)
                case "--seed":
                    let v = try args.value(of: arg)
                    guard let s = UInt64(v) else { throw .usage("campusdesk demo: --seed takes a whole number, not '\(v.prefix(40))'") }
                    seed = s
                case "--wait": wait = try args.integer(of: arg, in: 1...86_400)
                default: throw args.unexpected(arg)
                }
            }
            let config = try Configuration.fromCommandLine("campusdesk demo")
            return await importDemo(count: count, seed: seed, wait: wait, config: config)
        }
    }

    static func importDemo(count: Int, seed: UInt64, wait: Int, config: Configuration) async -> Int32 {
        let tickets = DemoHistory.generate(count: count, seed: seed, now: SystemClock().now())
        let result: ImportRun.Result
        do {
            result = try await ImportRun.send(tickets, label: "demo", processName: "demo", config: config, waitSeconds: wait)
        } catch {
            CommandLineTool.printError("campusdesk demo: \(error)")
            return ExitCode.failure
        }
        for (k, problem) in result.problems.sorted(by: { $0.key < $1.key }) { CommandLineTool.printError("ticket \(k + 1): \(problem)\n") }
        if let note = result.unconfirmedNote { CommandLineTool.printError("campusdesk demo: \(note)\n") }
        print("imported \(result.applied) demo tickets (seed \(seed))")
        return result.problems.isEmpty && result.unconfirmed == 0 ? 0 : 1
    }

    /// `up --demo`: once the ticket worker has created `tickets.db`, imports the demo history if it is empty.
    ///
    /// Waits (polling, cancellable) up to a minute for the database; a database with tickets is left alone.
    static func seedIfEmpty(config: Configuration, count: Int, announce: @escaping @Sendable (String) -> Void) async {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        var total: Int?
        while total == nil {
            if FileManager.default.fileExists(atPath: config.ticketDatabasePath),
               let reader = try? TicketReader(path: config.ticketDatabasePath),
               let counts = try? await reader.counts() {
                total = counts.values.reduce(0, +)
                break
            }
            guard ContinuousClock.now < deadline else {
                announce("demo: no ticket database at \(config.ticketDatabasePath) after 60 s (is ticket-worker in the Procfile?); demo not imported")
                return
            }
            do { try await Task.sleep(for: .milliseconds(250)) } catch { return }
        }
        if let total, total > 0 {
            announce("demo: tickets.db already has \(total) tickets; demo history not imported")
            return
        }
        announce("demo: importing \(count) demo tickets (seed \(defaultSeed))")
        let tickets = DemoHistory.generate(count: count, seed: defaultSeed, now: SystemClock().now())
        do {
            let result = try await ImportRun.send(tickets, label: "demo", processName: "up-demo", config: config,
                                                  waitSeconds: 120, announce: announce)
            if Task.isCancelled { return }
            var text = "demo: imported \(result.applied) demo tickets"
            if !result.problems.isEmpty { text += ", \(result.problems.count) refused (first: \(result.problems.min { $0.key < $1.key }?.value ?? ""))" }
            if let note = result.unconfirmedNote { text += "; \(note)" }
            announce(text)
        } catch {
            announce("demo: not imported: \(error)")
        }
    }
}
