import SpoolBroker
import Analytics
import TicketService
import HTTPServer
import Foundation

/// `campusdesk-bench broker [--dir DIR]`: measures the spool (see `BrokerBenchmark`).
enum BenchBrokerCommand {
    static func run(_ args: [String]) async -> Int32 {
        guard args.first == "broker" else {
            FileHandle.standardError.write(Data("usage: campusdesk-bench broker [--dir DIR]\n".utf8))
            return 64
        }
        var dir = FileManager.default.currentDirectoryPath + "/.bench-broker-\(getpid())"
        var removeAfter = true
        if args.count == 3, args[1] == "--dir" {
            dir = args[2]
            removeAfter = false
        } else if args.count != 1 {
            FileHandle.standardError.write(Data("usage: campusdesk-bench broker [--dir DIR]\n".utf8))
            return 64
        }
        defer { if removeAfter { try? FileManager.default.removeItem(atPath: dir) } }
        do {
            print(try await BrokerBenchmark.run(BrokerBenchmark.Settings(directory: dir)), terminator: "")
            return 0
        } catch {
            FileHandle.standardError.write(Data("campusdesk-bench broker: \(error)\n".utf8))
            return 1
        }
    }
}
