import Foundation
import Testing
import TestSupport

/// A real HTTP server (Python's http.server under /usr/bin/python3, the resource `webhook_server.py`)
/// that answers each POST with the next of `statuses`, then `status`, and writes each POST it
/// answered 2xx to `directory/<n>.json`.
final class WebhookServer {
    struct Received: Decodable, Sendable {
        var path: String
        var headers: [[String]]
        var body: String

        /// The first value of header `name`, compared without case.
        func header(_ name: String) -> String? {
            headers.first { $0.first?.lowercased() == name.lowercased() }.flatMap { $0.count > 1 ? $0[1] : nil }
        }
    }

    static let script = Bundle.module.path(forResource: "webhook_server", ofType: "py")
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/webhook_server.py").path

    let directory: String
    let port: UInt16
    let scheme: String
    private let process = Process()
    private let stdin = Pipe()

    /// Starts the server on `port` (0: a free one).
    init(directory: String, port: UInt16 = 0, statuses: [Int] = [], status: Int = 204, tls: (cert: String, key: String)? = nil) async throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        var args = [Self.script, directory, "--port", String(port), "--status", String(status)]
        if !statuses.isEmpty { args += ["--statuses", statuses.map(String.init).joined(separator: ",")] }
        if let tls { args += ["--tls", tls.cert, tls.key] }
        scheme = tls == nil ? "http" : "https"
        process.arguments = args
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = stdin
        let output = ProcessOutput(out)
        try process.run()
        let line = try await output.line(containing: "port=")
        self.port = try #require(UInt16(line.split(separator: "=").last.map(String.init) ?? ""))
    }

    var url: URL { URL(string: "\(scheme)://127.0.0.1:\(port)/hooks/desk")! }

    /// The POSTs answered 2xx, in arrival order.
    func received() throws -> [Received] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
        return try names.sorted { Int($0.split(separator: ".")[0])! < Int($1.split(separator: ".")[0])! }.map { name in
            try JSONDecoder().decode(Received.self, from: try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")))
        }
    }

    /// Every POST that reached the server, whatever it was answered.
    func attempts() -> Int {
        (try? String(contentsOfFile: "\(directory)/attempts", encoding: .utf8)).flatMap { Int($0) } ?? 0
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
