import SpoolBroker
import NATSBroker
import Analytics
import TicketService
import HTTPServer
import Foundation

/// `campusdesk-bench broker [--dir DIR] [--nats URL]...`: measures the spool (see `BrokerBenchmark`),
/// and with each `--nats` (a single node, a cluster with `?replicas=3`) the same sends, batches and
/// round trips on NATS JetStream beside it, in the same run (docs/perf-broker.sh starts both).
enum BenchBrokerCommand {
    static let usage = "usage: campusdesk-bench broker [--dir DIR] [--nats nats://host:port[,host:port...][?replicas=N]]...\n"

    static func run(_ args: [String]) async -> Int32 {
        guard args.first == "broker", args.count % 2 == 1 else {
            FileHandle.standardError.write(Data(usage.utf8))
            return 64
        }
        var dir = FileManager.default.currentDirectoryPath + "/.bench-broker-\(getpid())"
        var removeAfter = true
        var natsURLs: [String] = []
        var i = 1
        while i + 1 < args.count {
            switch args[i] {
            case "--dir":
                dir = args[i + 1]
                removeAfter = false
            case "--nats": natsURLs.append(args[i + 1])
            default:
                FileHandle.standardError.write(Data(usage.utf8))
                return 64
            }
            i += 2
        }
        defer { if removeAfter { try? FileManager.default.removeItem(atPath: dir) } }
        do {
            print(try await BrokerBenchmark.run(BrokerBenchmark.Settings(directory: dir)), terminator: "")
            for natsURL in natsURLs {
                let broker = try NATSMessageBroker(url: natsURL, name: "bench")
                defer { broker.close() }
                print(try await BrokerBenchmark.runOnBroker(broker, label: "on NATS JetStream (\(natsURL))",
                                                            settings: BrokerBenchmark.Settings(directory: dir)), terminator: "")
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("campusdesk-bench broker: \(error)\n".utf8))
            return 1
        }
    }
}
