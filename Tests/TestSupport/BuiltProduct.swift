import Foundation

/// Finds an executable this package builds (`campusdesk`, `campusdesk-test-process`) for tests that start processes.
///
/// Why beside the test bundle first: a build with `--scratch-path` or sanitizers tests its own
/// binaries, not whatever sits in `.build/debug`. The one lookup every process-starting test uses.
public enum BuiltProduct {
    public static func path(_ name: String) -> String {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                return dir.appendingPathComponent(".build/debug/\(name)").path
            }
            dir.deleteLastPathComponent()
        }
        return name
    }
}
