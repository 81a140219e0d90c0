import Foundation
import Testing

/// Keeps the logs of the processes a test started, where CI can show them when the test fails.
///
/// Why: a test that fails because a child process misbehaved says little by itself; the child's
/// own log says why. CI sets `CAMPUSDESK_TEST_LOG_DIR`; each test's logs are copied to
/// `<dir>/<test name>/` before the test's temporary directory is removed, and `.ci/run` prints
/// the tail of those of the tests that failed. Without the variable nothing is kept.
public enum TestLogs {
    /// The directory name for a test: its display name (or function name), letters and digits only.
    public static func directoryName(for test: Test?) -> String {
        let name = test.map { $0.displayName ?? $0.name } ?? "outside-a-test"
        let cleaned = String(name.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? Character($0) : "-" })
        return String(cleaned.prefix(100))
    }

    /// Copies `files` (missing ones are skipped) into this test's log directory, each under `label-<name>`.
    public static func keep(_ files: [URL], label: String) {
        guard let root = ProcessInfo.processInfo.environment["CAMPUSDESK_TEST_LOG_DIR"], !root.isEmpty else { return }
        let dir = URL(fileURLWithPath: root).appendingPathComponent(directoryName(for: Test.current))
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for file in files where FileManager.default.fileExists(atPath: file.path) {
                let target = dir.appendingPathComponent("\(label)-\(file.lastPathComponent)")
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: file, to: target)
            }
        } catch {
            // Keeping logs is a courtesy for CI; a failure here must not fail the test.
            FileHandle.standardError.write(Data("TestLogs: could not keep logs in \(dir.path): \(error)\n".utf8))
        }
    }
}
