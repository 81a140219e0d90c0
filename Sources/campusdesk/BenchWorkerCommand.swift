import CampusDeskCore
import Foundation

/// `campusdesk bench worker`: placeholder until the benchmark lands.
enum BenchWorkerCommand {
    static func run(_ args: [String]) async -> Int32 {
        FileHandle.standardError.write(Data("bench worker: not built yet\n".utf8))
        return 1
    }
}
