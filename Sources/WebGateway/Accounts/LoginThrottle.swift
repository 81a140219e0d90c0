import Domain
import Synchronization

/// Counts failed logins per account and per client address, and locks either for a while when
/// it has too many (network desk).
///
/// In memory, per gateway process: a restart forgets the counts, which costs an attacker a
/// restart of ours to reset, and spares the ticket worker a write per failed attempt. A sliding
/// window: a key is locked while it has `limit` failures younger than `window`, and opens again
/// when the oldest of them ages out; the locked answer says when (429, `Retry-After`).
///
/// Both keys count every failure, whether the e-mail address has an account or not, so the lock
/// says nothing about which addresses exist. A success clears the account's failures only: one
/// address trying many accounts stays counted.
public final class LoginThrottle: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Failures per e-mail address within `window` before it locks.
        public var perAccount: Int
        /// Failures per client address within `window` before it locks.
        public var perAddress: Int
        public var window: Duration
        /// Keys kept at most; beyond, expired ones are dropped, then the oldest (memory stays bounded under a spray).
        public var capacity: Int

        public init(perAccount: Int = 5, perAddress: Int = 20, window: Duration = .seconds(15 * 60), capacity: Int = 50_000) {
            self.perAccount = perAccount
            self.perAddress = perAddress
            self.window = window
            self.capacity = capacity
        }
    }

    /// Why a login may not be tried now, and for how long.
    public struct Lock: Sendable, Equatable {
        /// Whole seconds until the next attempt is counted again (at least 1).
        public var retryAfterSeconds: Int
        /// The message people see: "Too many failed attempts; try again in N minutes."
        public var message: String {
            let minutes = max(1, (retryAfterSeconds + 59) / 60)
            return "Too many failed attempts; try again in \(minutes) minute\(minutes == 1 ? "" : "s")."
        }
    }

    public let limits: Limits
    private let failures = Mutex<[String: [Timestamp]]>([:])

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// The lock on this account or address at `now`, or nil when a login may be tried.
    public func lock(email: String, address: String?, now: Timestamp) -> Lock? {
        failures.withLock { table in
            var longest: Int64 = 0
            for (key, limit) in keys(email: email, address: address) {
                guard let times = table[key] else { continue }
                let recent = times.filter { now.millisecondsSinceEpoch - $0.millisecondsSinceEpoch < windowMilliseconds }
                guard recent.count >= limit else { continue }
                // Open again when the failure that makes the count `limit` ages out.
                let opensAt = recent[recent.count - limit].millisecondsSinceEpoch + windowMilliseconds
                longest = max(longest, opensAt - now.millisecondsSinceEpoch)
            }
            return longest > 0 ? Lock(retryAfterSeconds: Int(max(1, (longest + 999) / 1000))) : nil
        }
    }

    /// Counts a failed attempt against the account and the address.
    public func recordFailure(email: String, address: String?, now: Timestamp) {
        failures.withLock { table in
            if table.count >= limits.capacity { prune(&table, now: now) }
            for (key, limit) in keys(email: email, address: address) {
                var times = table[key, default: []].filter { now.millisecondsSinceEpoch - $0.millisecondsSinceEpoch < windowMilliseconds }
                times.append(now)
                // Only the newest `limit` matter for the lock.
                if times.count > limit { times.removeFirst(times.count - limit) }
                table[key] = times
            }
        }
    }

    /// A successful login: the account starts afresh (the address keeps its count).
    public func recordSuccess(email: String) {
        _ = failures.withLock { $0.removeValue(forKey: Self.accountKey(email)) }
    }

    /// Keys counted (for tests: memory stays bounded).
    var keyCount: Int { failures.withLock { $0.count } }

    private var windowMilliseconds: Int64 {
        let (seconds, attoseconds) = limits.window.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    private func keys(email: String, address: String?) -> [(String, Int)] {
        var out = [(Self.accountKey(email), limits.perAccount)]
        if let address { out.append(("a:" + address, limits.perAddress)) }
        return out
    }

    private static func accountKey(_ email: String) -> String { "e:" + email.trimmingWhitespace().lowercased() }

    /// Drops keys whose failures have all aged out; if that is not enough, the stalest half.
    private func prune(_ table: inout [String: [Timestamp]], now: Timestamp) {
        let window = windowMilliseconds
        table = table.filter { _, times in times.contains { now.millisecondsSinceEpoch - $0.millisecondsSinceEpoch < window } }
        guard table.count >= limits.capacity else { return }
        let newest = table.mapValues { $0.last?.millisecondsSinceEpoch ?? 0 }.sorted { $0.value < $1.value }
        for (key, _) in newest.prefix(table.count / 2) { table[key] = nil }
    }
}
