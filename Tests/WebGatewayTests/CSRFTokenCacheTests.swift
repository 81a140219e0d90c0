import Testing
import Credentials
import Domain
import Foundation
@testable import WebGateway

/// The per-browser token cache gives exactly the HMAC token, stays bounded, and keeps ids apart.
@Suite struct CSRFTokenCacheTests {
    static let secret = Array("0123456789abcdef-test-secret".utf8)

    static func id(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return String(repeating: "0", count: 32 - hex.count) + hex
    }

    @Test("cached tokens equal the HMAC of the browser id, first call and every later one")
    func cached_EqualsHMAC() {
        let csrf = CSRFProtection(secret: Self.secret)
        for n in [0, 1, 2, 0xabcdef, 1] {
            let expected = hexString(SHA256.hmac(key: Self.secret, message: Array(Self.id(n).utf8)))
            #expect(csrf.token(forBrowser: Self.id(n)) == expected)
            #expect(csrf.token(forBrowser: Self.id(n)) == expected)
            #expect(csrf.isValid(token: expected, browserID: Self.id(n)))
        }
        #expect(csrf.token(forBrowser: Self.id(1)) != csrf.token(forBrowser: Self.id(2)))
        #expect(csrf.cachedTokenCount == 4)
        // Another secret (another process) gives other tokens for the same id.
        let other = CSRFProtection(secret: Array("another-secret-of-16+bytes".utf8))
        #expect(other.token(forBrowser: Self.id(1)) != csrf.token(forBrowser: Self.id(1)))
        #expect(!other.isValid(token: csrf.token(forBrowser: Self.id(1)), browserID: Self.id(1)))
    }

    @Test("the cache never holds more than its capacity, skips overlong ids, and stays right past the bound")
    func cache_Bounded() {
        let csrf = CSRFProtection(secret: Self.secret)
        let n = CSRFProtection.TokenCache.capacity + 10
        for i in 0..<n {
            _ = csrf.token(forBrowser: Self.id(i))
            #expect(csrf.cachedTokenCount <= CSRFProtection.TokenCache.capacity)
        }
        for i in [0, 5, n - 1] {
            #expect(csrf.token(forBrowser: Self.id(i)) == hexString(SHA256.hmac(key: Self.secret, message: Array(Self.id(i).utf8))))
        }
        let before = csrf.cachedTokenCount
        let long = String(repeating: "a", count: CSRFProtection.TokenCache.maxIDLength + 1)
        #expect(csrf.token(forBrowser: long) == hexString(SHA256.hmac(key: Self.secret, message: Array(long.utf8))))
        #expect(csrf.cachedTokenCount == before)
    }

    @Test("a form token names who it was rendered for; another identity, a tampered part or another browser is told apart")
    func formIdentity() {
        let csrf = CSRFProtection(secret: Self.secret)
        let ines = FormIdentity(role: .agent, account: nil, name: "Inès “I.” O'Neil")
        let ana = FormIdentity(role: .customer, account: nil, name: "Ana")
        let account = FormIdentity(role: .engineer, account: UserID(42), name: nil)
        for identity in [ines, ana, account] {
            let token = csrf.token(forBrowser: Self.id(1), identity: identity)
            #expect(csrf.check(token: token, browserID: Self.id(1), identity: identity) == .valid)
            #expect(FormIdentity(encoded: token.split(separator: ".", maxSplits: 1)[1]) == identity)
        }
        let token = csrf.token(forBrowser: Self.id(1), identity: ines)
        #expect(csrf.check(token: token, browserID: Self.id(1), identity: ana) == .renderedFor(ines))
        #expect(csrf.check(token: token, browserID: Self.id(2), identity: ines) == .invalid)
        #expect(csrf.check(token: token + "x", browserID: Self.id(1), identity: ines) == .invalid)
        #expect(csrf.check(token: token.replacingOccurrences(of: "agent.", with: "root."), browserID: Self.id(1), identity: ines) == .invalid)
        #expect(csrf.check(token: nil, browserID: Self.id(1), identity: ines) == .invalid)
        // A page rendered before forms carried an identity: the browser part alone decides.
        #expect(csrf.check(token: csrf.token(forBrowser: Self.id(1)), browserID: Self.id(1), identity: ines) == .valid)
        #expect(ines.words == "helpdesk staff (Inès “I.” O'Neil)" && account.words == "engineer")
    }
}
