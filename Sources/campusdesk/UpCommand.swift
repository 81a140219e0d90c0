import SpoolBroker
import Supervisor
import Operations
import ServiceLifecycle
import HTTPServer
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk up [--procfile PATH] [--demo] [--demo-count N]`: runs every Procfile process under one supervisor, like foreman.
///
/// With `--demo`, once the ticket worker has created `tickets.db`, an empty database is filled with
/// the demo history (`DemoCommand.seedIfEmpty`), reported on the supervisor's `system` lines.
enum UpCommand {
    static let usage = "usage: campusdesk up [--procfile PATH] [--demo] [--demo-count N]\n"

    static func run(_ args: [String]) async -> Int32 {
        var procfilePath = "Procfile"
        var demoCount: Int?
        var rest = args[...]
        while let arg = rest.popFirst() {
            switch arg {
            case "--procfile":
                guard let path = rest.popFirst() else { return fail(usage, 64) }
                procfilePath = path
            case "--demo":
                demoCount = demoCount ?? DemoHistory.defaultCount
            case "--demo-count":
                guard let v = rest.popFirst(), let n = Int(v), (1...1_000_000).contains(n) else { return fail(usage, 64) }
                demoCount = n
            case "-h", "--help":
                print(usage, terminator: "")
                return 0
            default:
                return fail("campusdesk up: unknown argument '\(arg.prefix(40))'\n" + usage, 64)
            }
        }
        let env = ProcessInfo.processInfo.environment
        let config: Configuration
        do { config = try Configuration.fromEnvironment(env) } catch { return fail("campusdesk up: \(error)\n", 64) }

        let procfile: Procfile
        do {
            let text = try String(contentsOfFile: procfilePath, encoding: .utf8)
            procfile = try Procfile.parse(text)
        } catch let error as ProcfileError {
            return fail("campusdesk up: \(procfilePath): \(error)\n", 1)
        } catch {
            return fail("campusdesk up: cannot read \(procfilePath): \(error.localizedDescription)\n", 1)
        }

        let spool = absolute(config.spoolDirectory), data = absolute(config.dataDirectory)
        do {
            try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        } catch {
            return fail("campusdesk up: cannot create \(spool) or \(data): \(error.localizedDescription)\n", 1)
        }
        let lock: SupervisorLock
        do { lock = try SupervisorLock(path: (spool as NSString).appendingPathComponent("up.lock")) } catch {
            return fail("campusdesk up: \(error)\n", 1)
        }

        var childEnv = env
        childEnv["HOST"] = config.host
        childEnv["PORT"] = String(config.port)
        childEnv["CAMPUSDESK_SPOOL"] = spool
        childEnv["CAMPUSDESK_DATA"] = data
        childEnv["CAMPUSDESK_TZ"] = config.timeZoneIdentifier
        let supervisor = Supervisor(
            procfile: procfile,
            options: .init(environment: childEnv, executablePath: ownExecutablePath(), colour: isatty(1) == 1))

        // Ctrl-C and SIGTERM reach only us (children have process groups of their own); we stop them.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { signo in
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler {
                supervisor.announce("\(signo == SIGINT ? "SIGINT" : "SIGTERM") received, stopping (again to stop at once)")
                supervisor.requestStop()
            }
            source.resume()
            return source
        }
        let shownHost = config.host == "0.0.0.0" || config.host == "::" ? "127.0.0.1" : config.host
        supervisor.announce("CampusDesk: open http://\(shownHost):\(config.port)/ (spool \(spool), data \(data); Ctrl-C to stop)")
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
        sources.forEach { $0.cancel() }
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

    static func fail(_ message: String, _ code: Int32) -> Int32 {
        FileHandle.standardError.write(Data(message.utf8))
        return code
    }
}
