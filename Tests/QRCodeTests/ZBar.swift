import TestSupport
import Foundation
import QRCode
import Testing

/// The real decoder the encoder is checked against: `zbarimg` from Debian's `zbar-tools`, which
/// reads images through ImageMagick, PGM included. Tests fail (not skip) when it is missing.
enum ZBar {
    static let missing = "zbarimg not found on PATH: install Debian's zbar-tools (apt-get install zbar-tools) to run the QR round trips"

    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":")
            .map { $0 + "/zbarimg" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Each file's decoded symbols, raw bytes (`--raw`: no charset guessing), or nil when zbarimg
    /// found none. One process for many files keeps 300 round trips within seconds; its output is
    /// one line per symbol, so the fast path holds only when every file gave exactly one line
    /// (the test texts have no newline) and otherwise each file is decoded alone.
    static func decode(_ files: [String]) throws -> [[UInt8]?] {
        let batch = try run(files)
        let lines = batch.output.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        if batch.status == 0 && lines.count == files.count { return lines.map { Array($0) } }
        return try files.map { file in
            let one = try run([file])
            guard one.status == 0, one.output.last == UInt8(ascii: "\n") else { return nil }
            return Array(one.output.dropLast())
        }
    }

    private static func run(_ files: [String]) throws -> (status: Int32, output: [UInt8]) {
        let executable = try #require(executable, "\(missing)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--raw", "-q", "--nodbus"] + files
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, Array(output))
    }
}

extension QRCode {
    /// A binary PGM (P5) of the symbol with its quiet zone, `scale` pixels per module: the least
    /// a decoder needs, so no image encoder has to be trusted besides the one under test.
    func pgm(scale: Int = 3) -> [UInt8] {
        let side = (size + 2 * Self.quietZone) * scale
        var bytes = Array("P5\n\(side) \(side)\n255\n".utf8)
        bytes.reserveCapacity(bytes.count + side * side)
        let lightRow = [UInt8](repeating: 255, count: side)
        for _ in 0..<(Self.quietZone * scale) { bytes += lightRow }
        for y in 0..<size {
            var row = [UInt8](repeating: 255, count: side)
            for x in 0..<size where self[x, y] {
                for p in 0..<scale { row[(x + Self.quietZone) * scale + p] = 0 }
            }
            for _ in 0..<scale { bytes += row }
        }
        for _ in 0..<(Self.quietZone * scale) { bytes += lightRow }
        return bytes
    }
}

