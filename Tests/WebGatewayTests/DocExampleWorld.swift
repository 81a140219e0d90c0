import Domain
import Foundation
import HTTPServer
import Testing
@testable import WebGateway

/// The desk docs/api.md's examples speak of ("Examples": the people and tickets its ids name),
/// built through the API on a real store, reader and gateway (`AccountsWorld`), on either desk.
///
/// Accounts 1 Root (admin), 2 Ada (agent), 3 Ana (engineer), 4 Max (manager), and on the network
/// desk 5 Cy and 6 Dee (customers). Tickets 1-11 reported by Cy (a customer on the campus desk) at
/// 2026-01-05T10:01:00Z, all open: 1-4 assigned to Ana; 5-7 about Wi-Fi (7 "Wi-Fi drops in room B12",
/// location B12, reporter Sam, message 1 "Looking into it" by Desk, an agent); 8 triaged P1
/// (critical, many people), 6 P2 (high, several). The classifier files with confidence 0.82. The analytics are those of
/// the store's own events.
final class DocWorld {
    enum Desk: String, CaseIterable { case campus, network }

    let desk: Desk
    let world: AccountsWorld
    var gateway: Gateway { world.gateway }
    private(set) var people: [Role: User] = [:]
    private var tokens: [Role: String] = [:]
    static let start = Timestamp(iso8601: "2026-01-05T10:01:00Z")!

    init(_ desk: Desk) async throws {
        self.desk = desk
        let classifier = TunableClassifier()
        classifier.set(0.82)
        world = try AccountsWorld(authMode: desk == .campus ? .open : .accounts, classifier: classifier,
                                  analytics: { OutboxAnalytics(store: $0, clock: $1) })
        world.clock.set(Self.start)
        var roles: [(String, Role)] = [("Root", .admin), ("Ada", .agent), ("Ana", .engineer), ("Max", .manager)]
        if desk == .network { roles += [("Cy", .customer), ("Dee", .customer)] }
        for (name, role) in roles {
            let person = try await world.account(name, role)
            if people[role] == nil { people[role] = person }
        }
        let tickets = [
            #"{"description": "The lift in building A is stuck"}"#, #"{"description": "Heating off in hall C"}"#,
            #"{"description": "Projector flickers in room 4"}"#, #"{"description": "Printer on floor 3 jams"}"#,
            #"{"description": "Wi-Fi slow in hall D"}"#, #"{"description": "Wi-Fi drops in the canteen"}"#,
            #"{"description": "Wi-Fi drops in room B12", "location": "B12", "reporter": "Sam"}"#,
            #"{"description": "The card reader at the canteen is broken"}"#, #"{"description": "The door of room 12 does not close"}"#,
            #"{"description": "A tap leaks in the kitchen"}"#, #"{"description": "The library's opening hours are wrong"}"#,
        ]
        for json in tickets { try await seed(.customer, "POST", "/api/tickets", json) }
        let ana = people[.engineer]!.id.rawValue
        for id in 1...4 { try await seed(.agent, "PUT", "/api/tickets/\(id)/assign", #"{"assignee_id": \#(ana)}"#) }
        try await seed(.agent, "POST", "/api/tickets/7/messages", #"{"body": "Looking into it", "author_name": "Desk"}"#)
        try await seed(.agent, "PUT", "/api/tickets/8/triage", #"{"severity": "critical", "impact": "many"}"#)
        try await seed(.agent, "PUT", "/api/tickets/6/triage", #"{"severity": "high", "impact": "several"}"#)
    }

    /// A change the world needs; anything but a 2xx fails the test.
    func seed(_ role: Role, _ method: String, _ target: String, _ json: String) async throws {
        let r = try await call(as: role, method, target, headers: [], body: json)
        #expect((200..<300).contains(r.status.code), "\(desk) desk: \(method) \(target) as \(role): \(r.status.code) \(r.text)")
    }

    /// A request as `role` (nil: anyone, no credentials): on the campus desk the role header (unless
    /// the example sends its own), on the network desk the bearer token of the role's account.
    func call(as role: Role?, _ method: String, _ target: String, headers: [(String, String)], body: String?) async throws -> HTTPResponse {
        var h = HTTPHeaders([("Host", "campusdesk.test")])
        if let role {
            switch desk {
            case .campus:
                if !headers.contains(where: { $0.0 == "X-CampusDesk-Role" }) { h.add("X-CampusDesk-Role", role.rawValue) }
            case .network:
                h.add("Authorization", "Bearer \(try await token(role))")
            }
        }
        if let body, !headers.contains(where: { $0.0 == "Content-Type" }) {
            h.add("Content-Type", body.hasPrefix("{") ? "application/json" : "application/x-www-form-urlencoded")
        }
        for (n, v) in headers { h.add(n, v) }
        return await gateway.respond(to: HTTPRequest(method: HTTPMethod(rawValue: method)!, target: target, headers: h, body: Array((body ?? "").utf8)))
    }

    func token(_ role: Role) async throws -> String {
        if let t = tokens[role] { return t }
        let person = try #require(people[role], "no \(role) on the \(desk) desk")
        let t = try #require(try await APIClient.signedIn(gateway, person).token)
        tokens[role] = t
        return t
    }
}
