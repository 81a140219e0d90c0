import Foundation
import Testing
import TestSupport

/// A real SMTP server (aiosmtpd under Debian's /usr/bin/python3) that writes each message it accepts
/// to `directory` as `<n>.eml` plus `<n>.json` (Subject and body as Python's email package decodes them).
final class SMTPServer {
    struct Received: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
        var subject: String
        var message_id: String
        var body: String
    }

    let directory: String
    let port: UInt16
    private let process: Process
    private let stdin = Pipe()

    /// Starts the server; `tempfail` RCPTs are answered 451 first, `reject` answers all 550.
    init(directory: String, tempfail: Int = 0, reject: Bool = false, auth: String? = nil) async throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = try #require(Bundle.module.path(forResource: "smtp_server", ofType: "py"))
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        var args = [script, directory]
        if tempfail > 0 { args += ["--tempfail", String(tempfail)] }
        if reject { args.append("--reject") }
        if let auth { args += ["--auth", auth] }
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
    func received() throws -> [Received] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".eml") }
        return try names.sorted { Int($0.split(separator: ".")[0])! < Int($1.split(separator: ".")[0])! }.map { name in
            let json = "\(directory)/\(name.dropLast(4)).json"
            return try JSONDecoder().decode(Received.self, from: try Data(contentsOf: URL(fileURLWithPath: json)))
        }
    }

    func raw(_ n: Int) throws -> String {
        try String(contentsOfFile: "\(directory)/\(n).eml", encoding: .utf8)
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
