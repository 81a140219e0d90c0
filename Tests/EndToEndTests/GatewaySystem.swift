import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The whole system as real processes: ticket worker, four analytics workers and the gateway,
/// on a temporary spool and data directory (removed with the `CampusDeskProcesses` it owns).
final class GatewaySystem {
    let processes: CampusDeskProcesses
    static let services = ["open-tickets", "resolution-time", "category-load", "service-levels"]

    /// Starts every process and waits until `/readyz` says all of them answer.
    init(environment: [String: String] = [:]) async throws {
        processes = try CampusDeskProcesses(environment: environment)
        try processes.start("ticket-worker", ["ticket-worker"])
        for s in Self.services { try processes.start(s, ["analytics", s]) }
        try processes.start("gateway", ["gateway"])
        do {
            try await processes.waitForHTTP("/readyz", status: 200, within: .seconds(60))
        } catch {
            throw CampusDeskProcesses.Failure(description: "system not ready: \(error)\ngateway log:\n\(processes.log("gateway").suffix(2000))\nworker log:\n\(processes.log("ticket-worker").suffix(2000))")
        }
    }

    var port: UInt16 { processes.port }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A fresh no-JavaScript browser on this system.
    func session() -> WebSession { WebSession(port: port) }
}

/// A browser without JavaScript over real HTTP: keeps cookies, fills forms from the page's own hidden fields.
final class WebSession {
    let client: RawHTTPClient
    var cookies: [String: String] = [:]
    let origin: String

    init(port: UInt16) {
        client = RawHTTPClient(port: port)
        origin = "http://127.0.0.1:\(port)"
    }

    private func headers(_ extra: [(String, String)]) -> [(String, String)] {
        var h = extra
        if !cookies.isEmpty { h.append(("Cookie", cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))) }
        return h
    }

    private func remember(_ r: RawHTTPClient.Response) {
        for c in r.headers("Set-Cookie") {
            let pair = c.split(separator: ";", maxSplits: 1)[0]
            guard let eq = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<eq]).trimmingCharacters(in: .whitespaces)
            let value = String(pair[pair.index(after: eq)...])
            if c.lowercased().contains("max-age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
    }

    @discardableResult
    func get(_ path: String, headers extra: [(String, String)] = []) throws -> RawHTTPClient.Response {
        let r = try client.request("GET", path, headers: headers(extra))
        remember(r)
        return r
    }

    /// POSTs a urlencoded form with a same-origin `Origin` header (as a browser does) unless told otherwise.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], origin: String? = nil, sameOrigin: Bool = true) throws -> RawHTTPClient.Response {
        var extra = [("Content-Type", "application/x-www-form-urlencoded")]
        if let origin { extra.append(("Origin", origin)) } else if sameOrigin { extra.append(("Origin", self.origin)) }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let r = try client.request("POST", path, headers: headers(extra), text: body)
        remember(r)
        return r
    }

    /// Submits the form whose action is `action` on `page`: its hidden fields plus `fields`.
    @discardableResult
    func submit(_ action: String, on page: String, _ fields: [(String, String)]) throws -> RawHTTPClient.Response {
        let given = Set(fields.map(\.0))
        return try post(action, Self.hiddenFields(of: action, in: page).filter { !given.contains($0.0) } + fields)
    }

    /// Enters as `role` from the entry page, as the form does.
    func enter(as role: String, name: String) throws {
        let entry = try get("/")
        let r = try submit("/session", on: entry.text, [("role", role), ("name", name)])
        guard r.status == 303 else { throw RawHTTPClient.Failure(description: "entering as \(role): \(r.status)") }
    }

    /// The hidden inputs of the first form posting to `action`.
    static func hiddenFields(of action: String, in html: String) -> [(String, String)] {
        guard let start = html.range(of: "action=\"\(action)\"") else { return [] }
        let rest = html[start.upperBound...]
        let form = rest[..<(rest.range(of: "</form>")?.lowerBound ?? rest.endIndex)]
        var out: [(String, String)] = []
        var cursor = form.startIndex
        while let r = form.range(of: "<input type=\"hidden\" name=\"", range: cursor..<form.endIndex) {
            let afterName = form[r.upperBound...]
            guard let nameEnd = afterName.firstIndex(of: "\""),
                  let valueStart = afterName.range(of: "value=\"")?.upperBound,
                  let valueEnd = afterName[valueStart...].firstIndex(of: "\"") else { break }
            out.append((String(afterName[..<nameEnd]), unescape(String(afterName[valueStart..<valueEnd]))))
            cursor = valueEnd
        }
        return out
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return (s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s)
    }

    /// The ticket id in a `Location: /tickets/N?...` header.
    static func ticketID(fromLocation location: String?) -> Int? {
        guard let l = location, l.hasPrefix("/tickets/") else { return nil }
        return Int(l.dropFirst("/tickets/".count).prefix { $0.isNumber })
    }
}
