/// One server of a `nats://host:port[,host:port...]` list.
public struct NATSServerAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }

    /// Parses `nats://h:p,h:p` (scheme optional on every entry, port 4222 by default).
    public static func list(_ text: String) throws(NATSError) -> [NATSServerAddress] {
        var out: [NATSServerAddress] = []
        for raw in text.split(separator: ",") {
            var s = Substring(raw.trimmingCharacters(in: .whitespaces))
            if s.hasPrefix("nats://") { s = s.dropFirst(7) }
            while s.hasSuffix("/") { s = s.dropLast() }
            guard !s.isEmpty else { continue }
            if let colon = s.lastIndex(of: ":") {
                guard let port = UInt16(s[s.index(after: colon)...]), port > 0 else {
                    throw NATSError(.connectionFailed, "parse server list", "bad port in \(s)")
                }
                out.append(NATSServerAddress(host: String(s[..<colon]), port: port))
            } else {
                out.append(NATSServerAddress(host: String(s), port: 4222))
            }
        }
        guard !out.isEmpty else { throw NATSError(.connectionFailed, "parse server list", "no server in \(text)") }
        return out
    }
}

import Foundation
