import Domain
import Testing
import TestSupport
@testable import WebGateway

/// The login limits alone, on a clock the test moves: per account, per address, the sliding
/// window, the message, and memory that stays bounded.
@Suite struct LoginThrottleTests {
    static let start = TestClock.defaultStart

    static func at(_ seconds: Int64) -> Timestamp { start.adding(milliseconds: seconds * 1000) }

    @Test("the fifth failure for one e-mail locks it for the rest of the window, whatever the address")
    func accountLocksAfterFive() {
        let t = LoginThrottle()
        for i in 0..<4 {
            t.recordFailure(email: "sam@example.org", address: "10.0.0.\(i)", now: Self.at(Int64(i)))
            #expect(t.lock(email: "sam@example.org", address: "10.0.0.9", now: Self.at(Int64(i))) == nil)
        }
        t.recordFailure(email: "Sam@Example.org ", address: "10.0.0.4", now: Self.at(4))
        let lock = t.lock(email: "sam@example.org", address: "10.0.0.9", now: Self.at(60))
        // Opens when the first failure (at 0 s) is 15 minutes old.
        #expect(lock?.retryAfterSeconds == 900 - 60)
        #expect(lock?.message == "Too many failed attempts; try again in 14 minutes.")
        // Another account from the same addresses is not locked.
        #expect(t.lock(email: "kim@example.org", address: "10.0.0.9", now: Self.at(60)) == nil)
        // The window slides: once the first failure ages out, one more attempt is allowed.
        #expect(t.lock(email: "sam@example.org", address: nil, now: Self.at(900)) == nil)
    }

    @Test("twenty failures from one address lock it for every account, and a success does not reset the address")
    func addressLocksAfterTwenty() {
        let t = LoginThrottle()
        for i in 0..<20 {
            t.recordFailure(email: "user\(i)@example.org", address: "192.0.2.7", now: Self.at(Int64(i)))
        }
        t.recordSuccess(email: "user19@example.org")
        let lock = t.lock(email: "new@example.org", address: "192.0.2.7", now: Self.at(30))
        #expect(lock?.retryAfterSeconds == 870)
        #expect(t.lock(email: "new@example.org", address: "192.0.2.8", now: Self.at(30)) == nil)
    }

    @Test("a success clears the account's count")
    func successClearsTheAccount() {
        let t = LoginThrottle()
        for i in 0..<4 { t.recordFailure(email: "sam@example.org", address: nil, now: Self.at(Int64(i))) }
        t.recordSuccess(email: "sam@example.org")
        t.recordFailure(email: "sam@example.org", address: nil, now: Self.at(10))
        #expect(t.lock(email: "sam@example.org", address: nil, now: Self.at(10)) == nil)
    }

    @Test("the last minute says 1 minute, in the singular")
    func lastMinute() {
        let t = LoginThrottle(limits: .init(perAccount: 1, perAddress: 1, window: .seconds(60)))
        t.recordFailure(email: "a@example.org", address: nil, now: Self.at(0))
        #expect(t.lock(email: "a@example.org", address: nil, now: Self.at(30))?.message == "Too many failed attempts; try again in 1 minute.")
    }

    @Test("memory stays bounded under a spray of addresses")
    func bounded() {
        let t = LoginThrottle(limits: .init(capacity: 100))
        for i in 0..<1_000 { t.recordFailure(email: "x\(i)@example.org", address: "10.1.\(i / 250).\(i % 250)", now: Self.at(Int64(i))) }
        #expect(t.keyCount <= 200)
    }
}
