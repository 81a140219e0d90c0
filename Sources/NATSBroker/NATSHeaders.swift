/// A message's header block: the status line (`NATS/1.0 404 No Messages`) and ordered pairs.
///
/// Pairs stay in order and repeated names are kept (FlyingFox's dictionary loses them).
public struct NATSHeaders: Sendable, Equatable {
    /// The status code of a status message (404, 408, 409, 503), nil for a plain header block.
    public var status: Int?
    public var statusDescription: String = ""
    public var pairs: [(name: String, value: String)] = []

    public init(_ pairs: [(String, String)] = []) {
        self.pairs = pairs.map { (name: $0.0, value: $0.1) }
    }

    /// Parses `NATS/1.0[ code[ description]]\r\n(Name: value\r\n)*\r\n`.
    public init(block: [UInt8]) {
        let text = String(decoding: block, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return }
        let first = lines.removeFirst()
        let parts = first.split(separator: " ", maxSplits: 2)
        if parts.count >= 2, let code = Int(parts[1]) {
            status = code
            statusDescription = parts.count == 3 ? String(parts[2]) : ""
        }
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            pairs.append((name: String(line[..<colon]), value: String(line[line.index(after: colon)...]).trimmingSpaces))
        }
    }

    /// The first value of `name` (case-insensitive).
    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return pairs.first { $0.name.lowercased() == lower }?.value
    }

    /// The encoded block for HPUB (no status line code).
    public var encoded: [UInt8] {
        var s = "NATS/1.0\r\n"
        for p in pairs { s += "\(p.name): \(p.value)\r\n" }
        s += "\r\n"
        return Array(s.utf8)
    }

    public static func == (a: NATSHeaders, b: NATSHeaders) -> Bool {
        a.status == b.status && a.statusDescription == b.statusDescription
            && a.pairs.map(\.name) == b.pairs.map(\.name) && a.pairs.map(\.value) == b.pairs.map(\.value)
    }
}
