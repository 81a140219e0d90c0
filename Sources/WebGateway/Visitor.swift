import Domain
import SpoolBroker
import HTTPServer

/// Who is using the web UI, and the browser's id.
///
/// On the campus desk (`CAMPUSDESK_AUTH=open`) there is no login: the role and name are the
/// preferences chosen on the entry page, kept in cookies. On the network desk (`accounts`) they
/// are the signed-in account's (``user``), found through the `cd_session` cookie on every request
/// (``Authentication``); the role cookie is ignored there. Either way every change is checked
/// against ``actor`` here (`Permissions`) and again in the worker.
public struct Visitor: Sendable, Equatable {
    public var role: Role
    public var name: String?
    /// The random per-browser value the CSRF token is bound to.
    public var browserID: String
    /// True when the browser had no id yet and this response must set the cookie.
    public var isNewBrowser: Bool
    /// How people enter this desk; the layout shows the role switch (open) or the account (accounts).
    public var authMode: AuthMode = .open
    /// The signed-in account on the network desk; on the campus desk, the staff directory's
    /// person this visitor picked on the entry page (nil when they did not pick one).
    public var user: User?
    /// Campus desk: the directory entry the `cd_staff` cookie names, to be looked up (``Authentication``).
    var staffID: UserID?
    /// The SHA-256 of the session token this request carried (network desk), to end or keep that session.
    var sessionDigest: String?
    /// The request came over HTTPS (`X-Forwarded-Proto: https` from the proxy): cookies get `Secure`.
    var isSecure = false
    /// Unread notifications in the visitor's inbox (counted up to ``Inbox/countCap``), for the
    /// header; nil when they have no inbox or it was not read (``WebRoutes/visitor(_:)``).
    var unreadNotifications: Int?

    /// Who acts: the role, and the account on the network desk.
    public var actor: Actor { Actor(role: role, userID: user?.id) }

    static let roleCookie = "cd_role"
    static let nameCookie = "cd_name"
    static let browserCookie = "cd_browser"
    static let staffCookie = "cd_staff"

    /// Reads the visitor from the request's cookies; invalid values fall back to a simple user.
    static func from(_ request: HTTPRequest, newBrowserID: () -> String) -> Visitor {
        let cookies = Cookies.parse(request)
        let role = cookies[roleCookie].flatMap(Role.init(rawValue:)).flatMap { Role.openModeRoles.contains($0) ? $0 : nil } ?? .customer
        let name = cookies[nameCookie]
            .flatMap { try? FormDecoding.percentDecode(Array($0.utf8), plusAsSpace: false) }
            .map { String($0.trimmingWhitespace().prefix(TextLimits.maxShortField)) }
            .flatMap { $0.isEmpty ? nil : $0 }
        var v = Visitor(role: role, name: name, browserID: "", isNewBrowser: false).withBrowser(cookies, newBrowserID: newBrowserID)
        // Only staff pick themselves from the directory; a customer's stale choice is ignored.
        if role == .agent, let raw = cookies[staffCookie], raw.utf8.count <= 18, let n = Int64(raw), n > 0 { v.staffID = UserID(n) }
        return v
    }

    /// This campus visitor as `person` from the staff directory: their name and role (the worker
    /// resolves the same role from the account the commands name).
    func picked(_ person: User) -> Visitor {
        var v = self
        v.user = person
        v.staffID = person.id
        v.role = person.role
        v.name = person.name
        return v
    }

    /// The visitor of the network desk before (or without) a valid session: the browser id only.
    static func anonymous(_ request: HTTPRequest, newBrowserID: () -> String) -> Visitor {
        var v = Visitor(role: .customer, name: nil, browserID: "", isNewBrowser: false).withBrowser(Cookies.parse(request), newBrowserID: newBrowserID)
        v.authMode = .accounts
        v.isSecure = Authentication.isHTTPS(request)
        return v
    }

    /// This visitor signed in as `user` (network desk).
    func signedIn(_ user: User, sessionDigest: String) -> Visitor {
        var v = self
        v.user = user
        v.role = user.role
        v.name = user.name
        v.sessionDigest = sessionDigest
        return v
    }

    private func withBrowser(_ cookies: [String: String], newBrowserID: () -> String) -> Visitor {
        var v = self
        if let id = cookies[Self.browserCookie], Self.isValidBrowserID(id) {
            v.browserID = id
        } else {
            v.browserID = newBrowserID()
            v.isNewBrowser = true
        }
        return v
    }

    /// 32 lower-case hex digits, as `Gateway.randomBrowserID` makes them.
    static func isValidBrowserID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// The cookies a response must set to remember this visitor.
    ///
    /// The role and name preferences exist only on the campus desk; the network desk's session
    /// cookie is set and cleared by login and logout (``Authentication/sessionCookie(_:secure:maxAge:)``).
    func cookieHeaders(includingPreferences: Bool) -> [String] {
        var out: [String] = []
        if isNewBrowser { out.append(Cookies.setCookie(Self.browserCookie, browserID, secure: isSecure)) }
        if includingPreferences && authMode == .open {
            // A person from the directory acts in their own role; the role cookie keeps "staff".
            out.append(Cookies.setCookie(Self.roleCookie, user == nil ? role.rawValue : Role.agent.rawValue))
            if let name { out.append(Cookies.setCookie(Self.nameCookie, FormDecoding.percentEncode(name))) }
            else { out.append(Cookies.setCookie(Self.nameCookie, "", maxAge: 0)) }
            if let user { out.append(Cookies.setCookie(Self.staffCookie, String(user.id.rawValue))) }
            else { out.append(Cookies.setCookie(Self.staffCookie, "", maxAge: 0)) }
        }
        return out
    }
}
