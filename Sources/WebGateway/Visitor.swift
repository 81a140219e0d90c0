import Domain
import SpoolBroker
import HTTPServer

/// Who is using the web UI: the role and name chosen on the entry page, and the browser's id.
///
/// There is no login (by design); the role is a preference kept in cookies, and every change is
/// still checked against it here and again in the worker.
public struct Visitor: Sendable, Equatable {
    public var role: Role
    public var name: String?
    /// The random per-browser value the CSRF token is bound to.
    public var browserID: String
    /// True when the browser had no id yet and this response must set the cookie.
    public var isNewBrowser: Bool

    static let roleCookie = "cd_role"
    static let nameCookie = "cd_name"
    static let browserCookie = "cd_browser"

    /// Reads the visitor from the request's cookies; invalid values fall back to a simple user.
    static func from(_ request: HTTPRequest, newBrowserID: () -> String) -> Visitor {
        let cookies = Cookies.parse(request)
        let role = cookies[roleCookie].flatMap(Role.init(rawValue:)).flatMap { Role.openModeRoles.contains($0) ? $0 : nil } ?? .customer
        let name = cookies[nameCookie]
            .flatMap { try? FormDecoding.percentDecode(Array($0.utf8), plusAsSpace: false) }
            .map { String($0.trimmingWhitespace().prefix(TextLimits.maxShortField)) }
            .flatMap { $0.isEmpty ? nil : $0 }
        if let id = cookies[browserCookie], isValidBrowserID(id) {
            return Visitor(role: role, name: name, browserID: id, isNewBrowser: false)
        }
        return Visitor(role: role, name: name, browserID: newBrowserID(), isNewBrowser: true)
    }

    /// 32 lower-case hex digits, as `Gateway.randomBrowserID` makes them.
    static func isValidBrowserID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// The cookies a response must set to remember this visitor.
    func cookieHeaders(includingPreferences: Bool) -> [String] {
        var out: [String] = []
        if isNewBrowser { out.append(Cookies.setCookie(Self.browserCookie, browserID)) }
        if includingPreferences {
            out.append(Cookies.setCookie(Self.roleCookie, role.rawValue))
            if let name { out.append(Cookies.setCookie(Self.nameCookie, FormDecoding.percentEncode(name))) }
            else { out.append(Cookies.setCookie(Self.nameCookie, "", maxAge: 0)) }
        }
        return out
    }
}
