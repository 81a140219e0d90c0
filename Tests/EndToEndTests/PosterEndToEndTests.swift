import Foundation
import Testing
import TestSupport

extension SystemTests {
    /// `campusdesk poster`: the operator's way to print a place's QR poster, read back by a real
    /// QR reader (Debian's zbarimg, which CI installs; the test fails without it).
    @Suite struct PosterEndToEndTests {
        @Test("poster writes an SVG whose code zbarimg reads as the report form's address; bad arguments exit 64")
        func writesAReadablePoster() throws {
            let system = try CampusDeskProcesses()
            for args in [["poster"], ["poster", "Lab 4"], ["poster", "Lab 4", "--origin", "ftp://x"], ["poster", "   ", "--origin", "https://desk.example"],
                         ["poster", "Lab 4", "--origin", "https://desk.example", "--colour"]] {
                #expect(try system.run(args).status == 64, "\(args)")
            }
            let run = try system.run(["poster", "Hörsaal 2, Gebäude C", "--origin", "https://helpdesk.example.edu/"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.hasPrefix("<?xml") && run.stdout.contains("Hörsaal 2, Gebäude C"))
            let file = system.data.appendingPathComponent("poster.svg")
            try Data(run.stdout.utf8).write(to: file)
            let zbar = try #require(["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                    "zbarimg not found: install Debian's zbar-tools")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: zbar)
            process.arguments = ["--raw", "-q", file.path]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let decoded = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(decoded.trimmingCharacters(in: .newlines) == "https://helpdesk.example.edu/tickets/new?location=H%C3%B6rsaal%202%2C%20Geb%C3%A4ude%20C")
        }
    }
}
