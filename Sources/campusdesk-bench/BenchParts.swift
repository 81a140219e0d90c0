import Foundation
import SpoolBroker
import HTTPServer

/// The parts `campusdesk-bench PART` can measure, each in its own file.
enum BenchParts {
    static let parts: [(name: String, run: @Sendable ([String]) async -> Int32)] = [
        ("store", { await BenchStoreCommand.run($0) }),
        ("classifier", { await BenchClassifierCommand.run($0) }),
        ("broker", { await BenchBrokerCommand.run($0) }),
        ("worker", { await BenchWorkerCommand.run($0) }),
        ("analytics", { await BenchAnalyticsCommand.run($0) }),
        ("gateway", { await BenchGatewayCommand.run($0) }),
        ("analytics-roundtrip", { await BenchAnalyticsRoundTripCommand.run($0) }),
        ("credentials", { await BenchCredentialsCommand.run($0) }),
        ("sla-monitor", { await BenchSLAMonitorCommand.run($0) }),
        ("notifier", { await BenchNotifierCommand.run($0) }),
        ("notifier-delay", { await BenchNotifierDelayCommand.run($0) }),
        ("uploads", { await BenchUploadsCommand.run($0) }),
        ("remote-files", { await BenchRemoteFilesCommand.run($0) }),
        ("scale", { await BenchScaleCommand.run($0) }),
        ("replay", { await BenchReplayCommand.run($0) }),
    ]

    static func run(_ args: [String]) async -> Int32 {
        guard let part = args.first, let entry = parts.first(where: { $0.name == part }) else {
            let names = parts.map(\.name).joined(separator: "|")
            FileHandle.standardError.write(Data("usage: campusdesk-bench (\(names)) [options]\n".utf8))
            return 64
        }
        return await entry.run(args)
    }
}
