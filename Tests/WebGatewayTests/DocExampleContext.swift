import Domain
import Foundation
import Testing
@testable import WebGateway

/// What an example's `# context` and `(context)` say, read strictly: every phrase is one the runner
/// acts on, so a context it cannot honour fails the test instead of being ignored.
///
/// Phrases: `on the campus desk`, `on the network desk`, `on either desk`; `as a customer`, `as an
/// agent`, `as an engineer`, `as a manager`, `as an admin`, `as anyone` (no credentials); `ticket N
/// open|active|closed`; `ticket N assigned to A`; `account A deactivated`; `issue type N retired`;
/// `an agent answers and closes ticket N`; `N wrong passwords for E`; `N minutes later`.
/// Defaults: as an agent, on every desk that has the role (the campus desk has customers, agents
/// and anyone).
struct DocContext {
    enum Caller: Equatable { case anyone, role(Role) }
    enum Step {
        case status(ticket: Int, String)
        case assign(ticket: Int, account: Int)
        case deactivate(account: Int)
        case retire(issueType: Int)
        case answerAndClose(ticket: Int)
        case wrongPasswords(Int, email: String)
        case minutesLater(Int)
    }

    var desks: [DocWorld.Desk]?
    var caller: Caller = .role(.agent)
    var steps: [Step] = []

    /// The desks the example runs on.
    var runDesks: [DocWorld.Desk] {
        if let desks { return desks }
        switch caller {
        case .anyone, .role(.customer), .role(.agent): return DocWorld.Desk.allCases
        default: return [.network]
        }
    }

    static let filler: Set<String> = ["", "a", "an", "the", "and", "then"]

    /// The context of `texts` read in turn (a later caller or desk wins; steps run in the order written).
    static func parse(_ texts: String...) -> Result<DocContext, DocExampleParser.Problem> {
        var c = DocContext()
        for text in texts {
            var found: [(Int, Step)] = []
            if let problem = c.read(text, into: &found) { return .failure(problem) }
            c.steps += found.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return .success(c)
    }

    private mutating func read(_ text: String, into found: inout [(Int, Step)]) -> DocExampleParser.Problem? {
        var c = self
        defer { self = c }
        var rest = text.lowercased()
        func take(_ pattern: String, _ act: ([String]) -> Void) {
            let regex = try! NSRegularExpression(pattern: pattern)
            while let m = regex.firstMatch(in: rest, range: NSRange(rest.startIndex..., in: rest)) {
                act((0..<m.numberOfRanges).map { String(rest[Range(m.range(at: $0), in: rest)!]) })
                // Blanked to the same length, so the steps' positions keep their order.
                rest.replaceSubrange(Range(m.range, in: rest)!, with: String(repeating: " ", count: m.range.length))
            }
        }
        func step(_ pattern: String, _ make: ([String]) -> Step) {
            let regex = try! NSRegularExpression(pattern: pattern)
            for m in regex.matches(in: rest, range: NSRange(rest.startIndex..., in: rest)) {
                found.append((m.range.location, make((0..<m.numberOfRanges).map { String(rest[Range(m.range(at: $0), in: rest)!]) })))
            }
            take(pattern) { _ in }
        }
        take(#"\bon the campus desk\b"#) { _ in c.desks = [.campus] }
        take(#"\bon the network desk\b"#) { _ in c.desks = [.network] }
        take(#"\bon either desk\b"#) { _ in c.desks = DocWorld.Desk.allCases }
        take(#"\bas anyone\b"#) { _ in c.caller = .anyone }
        take(#"\bas an? (customer|agent|engineer|manager|admin)\b"#) { c.caller = .role(Role(rawValue: $0[1])!) }
        step(#"\ban agent answers and closes ticket (\d+)\b"#) { .answerAndClose(ticket: Int($0[1])!) }
        step(#"\bticket (\d+) assigned to (\d+)\b"#) { .assign(ticket: Int($0[1])!, account: Int($0[2])!) }
        step(#"\bticket (\d+) (open|active|closed)\b"#) { .status(ticket: Int($0[1])!, $0[2]) }
        step(#"\baccount (\d+) deactivated\b"#) { .deactivate(account: Int($0[1])!) }
        step(#"\bissue type (\d+) retired\b"#) { .retire(issueType: Int($0[1])!) }
        step(#"\b(\d+) wrong passwords for ([^\s,;]+@[^\s,;]+)"#) { .wrongPasswords(Int($0[1])!, email: $0[2]) }
        step(#"\b(\d+) minutes later\b"#) { .minutesLater(Int($0[1])!) }
        let left = rest.split { " ,;".contains($0) }.map(String.init).filter { !Self.filler.contains($0) }
        if !left.isEmpty { return DocExampleParser.Problem(text: "the context \"\(text)\" says \(left) that the runner does not read") }
        return nil
    }
}

extension DocWorld {
    /// Brings the world into the state `step` names through the API, as an agent (Ada on the
    /// network desk), or the admin where only an admin may.
    func apply(_ step: DocContext.Step) async throws {
        let staff: Role = .agent
        switch step {
        case .status(let id, let status):
            let now = try await call(as: staff, "GET", "/api/tickets/\(id)", headers: [], body: nil).json?["status"] as? String
            let path = ["open": 0, "active": 1, "closed": 2]
            guard let from = now.flatMap({ path[$0] }), let to = path[status] else { Issue.record("ticket \(id): \(now ?? "missing") → \(status)"); return }
            #expect(from <= to, "ticket \(id) is \(now ?? "?") already")
            for s in ["open", "active", "closed"].dropFirst(from + 1).prefix(max(0, to - from)) {
                try await seed(staff, "PUT", "/api/tickets/\(id)/status", #"{"status": "\#(s)"}"#)
            }
        case .assign(let id, let account):
            try await seed(staff, "PUT", "/api/tickets/\(id)/assign", #"{"assignee_id": \#(account)}"#)
        case .deactivate(let account):
            try await world.apply(Actor(role: .admin), .updateUser(UpdateUser(userID: UserID(Int64(account)), active: false)))
        case .retire(let issueType):
            try await seed(.admin, "POST", "/api/issue-types/\(issueType)/retire", "{}")
        case .answerAndClose(let id):
            try await seed(staff, "POST", "/api/tickets/\(id)/messages", #"{"body": "The printer was fixed; reply here if it jams again."}"#)
            try await apply(.status(ticket: id, "closed"))
        case .wrongPasswords(let n, let email):
            for _ in 0..<n {
                let form = FormDecoding.encodeQuery([("grant_type", "password"), ("username", email), ("password", "not the password")])
                let r = try await call(as: nil, "POST", "/api/auth/token", headers: [], body: form)
                #expect(r.status.code == 401, "a wrong password for \(email): \(r.status.code)")
            }
        case .minutesLater(let n):
            world.clock.advance(by: .seconds(60 * n))
        }
    }
}
