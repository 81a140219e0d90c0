import Foundation
import Testing

/// A real SMTP server (aiosmtpd under Debian's /usr/bin/python3, `.ci/install`) that writes each
/// message it accepts to `directory` as `<n>.eml` plus `<n>.json` (Subject and body as Python's
/// email package decodes them). The script is NotifierTests' resource `smtp_server.py`.
public final class SMTPServer {
    public struct Received: Decodable, Sendable {
        public var mail_from: String
        /// The name the client gave in EHLO or HELO.
        public var helo: String
        public var rcpt_tos: [String]
        public var subject: String
        public var message_id: String
        public var body: String
    }

    /// The script in the source tree (for targets other than NotifierTests, which has it as a resource).
    public static let scriptInSourceTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("NotifierTests/Resources/smtp_server.py").path

    public let directory: String
    public let port: UInt16
    private let process: Process
    private let stdin = Pipe()

    /// Starts the server; `tempfail` RCPTs are answered 451 first, `reject` answers all 550.
    public init(script: String = SMTPServer.scriptInSourceTree, directory: String, tempfail: Int = 0, reject: Bool = false,
                auth: String? = nil, noEHLO: Bool = false) async throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        var args = [script, directory]
        if tempfail > 0 { args += ["--tempfail", String(tempfail)] }
        if reject { args.append("--reject") }
        if let auth { args += ["--auth", auth] }
        if noEHLO { args.append("--no-ehlo") }
        process.arguments = args
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = stdin
        let output = ProcessOutput(out)
        try process.run()
        let line = try await output.line(containing: "port=")
        port = try #require(UInt16(line.split(separator: "=").last.map(String.init) ?? ""))
    }

    /// What arrived so far, in arrival order.
    public func received() throws -> [Received] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".eml") }
        return try names.sorted { Int($0.split(separator: ".")[0])! < Int($1.split(separator: ".")[0])! }.map { name in
            let json = "\(directory)/\(name.dropLast(4)).json"
            return try JSONDecoder().decode(Received.self, from: try Data(contentsOf: URL(fileURLWithPath: json)))
        }
    }

    public func raw(_ n: Int) throws -> String {
        try String(contentsOfFile: "\(directory)/\(n).eml", encoding: .utf8)
    }

    public func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
