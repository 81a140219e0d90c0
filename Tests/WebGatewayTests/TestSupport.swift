import Domain
import Logging
import SpoolBroker
import TicketStore
import ServiceLifecycle
import Foundation
import HTTPServer
import Synchronization
import Testing
@testable import WebGateway

/// A gateway over a real ticket store and reader on a SQLite file in its own temp directory.
///
/// A class so the directory goes when the test's world does (`deinit`).
final class World {
    let directory: URL
    let classifier = TunableClassifier()
    let worker: StoreBackedWorker
    let reader: TicketReader
    var analytics = FixedAnalytics()
    var readiness = FixedReadiness(checks: [ReadinessCheck(name: "ticket-worker", ready: true)])
    var timeZone: String
    /// Browser ids, shared by every gateway of this world so two browsers never share one.
    let counter = Counter()
    /// The gateway's clock (the list's "3 hours ago" counts from it): the system's unless a test sets one.
    var clock: any WallClock = SystemClock()

    init(timeZone: String = "UTC") {
        self.timeZone = timeZone
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-gw-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("tickets.db").path
        worker = StoreBackedWorker(store: try! TicketStore(path: path, classifier: classifier, clock: FixedClock(), synchronous: .normal))
        reader = try! TicketReader(path: path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func gateway() -> Gateway {
        Gateway(
            configuration: Configuration(timeZoneIdentifier: timeZone), tickets: reader, commands: worker,
            analytics: analytics, readiness: readiness, csrfSecret: Array("test-secret-0123456789".utf8),
            settings: GatewaySettings(commandTimeout: .milliseconds(100)), clock: clock,
            logger: Logger(component: "test", minimumLevel: .error),
            newBrowserID: { [counter] in String(format: "%032x", counter.next()) })
    }
}

/// Hands out 1, 2, 3 ... from any task.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}

/// A browser without JavaScript: keeps cookies, follows nothing by itself, reads forms' CSRF token.
struct Browser {
    let gateway: Gateway
    var cookies: [String: String] = [:]
    var host = "campusdesk.test"
    var lastToken: String?

    init(_ gateway: Gateway) { self.gateway = gateway }

    mutating func request(_ method: String, _ target: String, headers extra: [(String, String)] = [], body: [UInt8] = []) async -> HTTPResponse {
        var headers = HTTPHeaders([("Host", host)])
        if !cookies.isEmpty { headers.add("Cookie", cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")) }
        for (n, v) in extra { headers.add(n, v) }
        let response = await gateway.respond(to: HTTPRequest(method: HTTPMethod(rawValue: method)!, target: target, headers: headers, body: body))
        for set in response.headers.values("Set-Cookie") {
            let pair = set.split(separator: ";")[0]
            let eq = pair.firstIndex(of: "=")!
            let name = String(pair[..<eq]), value = String(pair[pair.index(after: eq)...])
            if set.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        if let token = Self.csrfToken(in: response.text) { lastToken = token }
        return response
    }

    mutating func get(_ target: String) async -> HTTPResponse { await request("GET", target) }

    /// Posts a form; adds the last seen CSRF token unless `token` says otherwise.
    mutating func post(_ target: String, _ fields: [(String, String)], token: String?? = .none, origin: String? = nil) async -> HTTPResponse {
        var all = fields
        let t: String? = token ?? lastToken
        if let t { all.append(("csrf_token", t)) }
        let body = FormDecoding.encodeQuery(all.map { ($0.0, Optional($0.1)) })
        var headers = [("Content-Type", "application/x-www-form-urlencoded")]
        if let origin { headers.append(("Origin", origin)) }
        return await request("POST", target, headers: headers, body: Array(body.utf8))
    }

    /// Chooses a role on the entry page.
    mutating func enter(as role: Role, name: String = "") async {
        _ = await get("/")
        let r = await post("/session", [("role", role.rawValue), ("name", name)])
        #expect(r.status == .seeOther)
        // As a browser does: the next page's forms carry the new identity (FormIdentity).
        if let location = r.headers["Location"] { _ = await get(location) }
    }

    static func csrfToken(in html: String) -> String? {
        guard let r = html.range(of: "name=\"csrf_token\" value=\"") else { return nil }
        let rest = html[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
}

/// Checks that look at markup the way a validator and a screen reader would, without a parser library.
enum HTMLCheck {
    static let void: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]

    /// Problems found: unbalanced elements, inputs without labels, missing landmarks, duplicate ids.
    static func problems(_ html: String) -> [String] {
        var out: [String] = []
        if !html.hasPrefix("<!DOCTYPE html>") { out.append("no doctype") }
        var stack: [String] = []
        var ids: [String: Int] = [:]
        var labelled: Set<String> = []
        var controls: [(String, String?)] = []
        var i = html.startIndex
        while let open = html[i...].firstIndex(of: "<") {
            guard let close = html[open...].firstIndex(of: ">") else { out.append("unclosed tag"); break }
            let tag = html[html.index(after: open)..<close]
            i = html.index(after: close)
            if tag.hasPrefix("!") { continue }
            if tag.hasPrefix("/") {
                let name = tag.dropFirst().lowercased()
                if stack.last == name { stack.removeLast() } else { out.append("</\(name)> closes <\(stack.last ?? "nothing")>") }
                continue
            }
            let name = String(tag.prefix { $0.isLetter || $0.isNumber }).lowercased()
            let id = attribute("id", in: tag)
            if let id { ids[id, default: 0] += 1 }
            if name == "label", let f = attribute("for", in: tag) { labelled.insert(f) }
            if ["input", "select", "textarea"].contains(name), attribute("type", in: tag) != "hidden" {
                controls.append((name, id))
            }
            if !void.contains(name) { stack.append(name) }
        }
        if !stack.isEmpty { out.append("unclosed: \(stack)") }
        for (name, id) in controls where id == nil || !labelled.contains(id!) { out.append("\(name) \(id ?? "?") has no label") }
        for (id, n) in ids where n > 1 { out.append("duplicate id \(id)") }
        for landmark in ["<header", "<nav", "<main", "<footer", "<h1"] where !html.contains(landmark) { out.append("no \(landmark)") }
        return out
    }

    static func attribute(_ name: String, in tag: Substring) -> String? {
        guard let r = tag.range(of: " \(name)=\"") else { return nil }
        let rest = tag[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
