import SpoolBroker
import Supervisor
import Operations
import ServiceLifecycle
import Logging
import HTTPServer
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk up [--procfile PATH] [--demo] [--demo-count N] [--broker nats [--nats-port N]]`: runs every
/// Procfile process under one supervisor, like foreman.
///
/// With `--broker nats`, `nats-server -js` (from PATH) is one more supervised process, its store
/// in `<data>/nats`, on loopback at `--nats-port` (default: a free port), and every process gets
/// `CAMPUSDESK_BROKER` naming it (docs/nats.md).
///
/// With `--demo`, once the ticket worker has created `tickets.db`, an empty database is filled with
/// the demo history (`DemoCommand.seedIfEmpty`), reported on the supervisor's `system` lines.
enum UpCommand {
    static let usage = "usage: campusdesk up [--procfile PATH] [--demo] [--demo-count N] [--broker spool|nats] [--nats-port N]\n"

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk up", usage: usage) { args throws(CommandLineError) in
            var procfilePath = "Procfile"
            var demoCount: Int?
            var broker = "spool"
            var natsPort: UInt16?
            while let arg = args.next() {
                switch arg {
                case "--broker":
                    broker = try args.value(of: arg)
                    guard broker == "spool" || broker == "nats" else { throw .usage("--broker takes spool or nats, not '\(broker.prefix(40))'") }
                case "--nats-port": natsPort = UInt16(try args.integer(of: arg, in: 1...65_535))
                case "--procfile": procfilePath = try args.value(of: arg)
                case "--demo": demoCount = demoCount ?? DemoHistory.defaultCount
                case "--demo-count": demoCount = try args.integer(of: arg, in: 1...1_000_000)
                default: throw args.unexpected(arg)
                }
            }
            let config = try Configuration.fromCommandLine("campusdesk up")
            var nats: NATSServerEntry?
            if broker == "nats" {
                guard let executable = NATSServerEntry.locate(path: ProcessInfo.processInfo.environment["PATH"]) else {
                    throw .failure("campusdesk up: --broker nats needs nats-server on PATH (Debian: apt install nats-server; https://nats.io/download)")
                }
                guard let port = natsPort ?? NATSServerEntry.freePort() else { throw .failure("campusdesk up: no free port for nats-server") }
                nats = NATSServerEntry(executable: executable, port: port,
                                       storeDirectory: (absolute(config.dataDirectory) as NSString).appendingPathComponent("nats"))
            }
            return try await up(procfilePath: procfilePath, demoCount: demoCount, config: config, nats: nats)
        }
    }

    static func up(procfilePath: String, demoCount: Int?, config: Configuration, nats: NATSServerEntry? = nil) async throws(CommandLineError) -> Int32 {
        var procfile: Procfile
        do {
            let text = try String(contentsOfFile: procfilePath, encoding: .utf8)
            procfile = try Procfile.parse(text)
        } catch let error as ProcfileError {
            throw .failure("campusdesk up: \(procfilePath): \(error)")
        } catch {
            throw .failure("campusdesk up: cannot read \(procfilePath): \(error.localizedDescription)")
        }
        if let nats {
            do { procfile = try nats.prepended(to: procfile) } catch { throw .failure("campusdesk up: \(procfilePath): \(error)") }
        }

        let spool = absolute(config.spoolDirectory), data = absolute(config.dataDirectory)
        do {
            try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        } catch {
            throw .failure("campusdesk up: cannot create \(spool) or \(data): \(error.localizedDescription)")
        }
        let lock: SupervisorLock
        do { lock = try SupervisorLock(path: (spool as NSString).appendingPathComponent("up.lock")) } catch {
            throw .failure("campusdesk up: \(error)")
        }

        var childEnv = ProcessInfo.processInfo.environment
        childEnv["HOST"] = config.host
        childEnv["PORT"] = String(config.port)
        childEnv["CAMPUSDESK_SPOOL"] = spool
        childEnv["CAMPUSDESK_DATA"] = data
        childEnv["CAMPUSDESK_TZ"] = config.timeZoneIdentifier
        childEnv["CAMPUSDESK_AUTH"] = config.authMode.rawValue
        if let nats { childEnv["CAMPUSDESK_BROKER"] = nats.url }
        let supervisor = Supervisor(
            procfile: procfile,
            options: .init(environment: childEnv, executablePath: ownExecutablePath(), colour: isatty(1) == 1,
                          stopLast: nats == nil ? [] : [NATSServerEntry.name]))

        // Ctrl-C and SIGTERM reach only us (children have process groups of their own); we stop them,
        // and a second signal tells the supervisor to stop them at once.
        let stop = StopSignal()
        stop.install(logger: Logger(component: "up", minimumLevel: .warning), note: "stop requested, stopping the processes", secondSignalExits: false) { signo in
            supervisor.announce("\(signo == SIGINT ? "SIGINT" : "SIGTERM") received, stopping (again to stop at once)")
            supervisor.requestStop()
        }
        let shownHost = config.host == "0.0.0.0" || config.host == "::" ? "127.0.0.1" : config.host
        supervisor.announce("CampusDesk: open http://\(shownHost):\(config.port)/ (spool \(spool), data \(data); Ctrl-C to stop)")
        if let nats { supervisor.announce("broker: NATS JetStream at \(nats.url) (nats-server \(nats.executable), store \(nats.storeDirectory))") }
        let seedConfig = Configuration(spoolDirectory: spool, dataDirectory: data, host: config.host, port: config.port,
                                       timeZoneIdentifier: config.timeZoneIdentifier)
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    Thread.detachNewThread {
                        supervisor.run()
                        done.resume()
                    }
                }
                return true
            }
            if let demoCount {
                group.addTask {
                    await DemoCommand.seedIfEmpty(config: seedConfig, count: demoCount) { supervisor.announce($0) }
                    return false
                }
            }
            // When the supervisor is done (everything stopped), an unfinished demo import is cancelled.
            for await supervisorDone in group where supervisorDone { group.cancelAll() }
        }
        stop.uninstall()
        withExtendedLifetime(lock) {}
        return 0
    }

    /// The binary we run from, so a Procfile's `campusdesk` means this very build.
    static func ownExecutablePath() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return absolute(CommandLine.arguments.first ?? "campusdesk")
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
    }
}
