import Foundation

/// Deadlines of tests, scaled for slow machines.
///
/// Why: a deadline is the time a test is willing to wait for something that must happen; on a
/// loaded CI machine (or under a sanitizer) everything takes longer, and a test that waits on the
/// event rather than on time loses nothing by waiting longer. `CAMPUSDESK_TEST_TIME_SCALE=3 swift
/// test` triples every deadline that goes through here (`eventually`, readiness handshakes, the
/// HTTP client's reads); it never shortens or lengthens a pause a test takes on purpose.
public enum TestTime {
    /// `CAMPUSDESK_TEST_TIME_SCALE` as a positive number; 1 when unset or not a positive number.
    public static let scale: Double = {
        guard let text = ProcessInfo.processInfo.environment["CAMPUSDESK_TEST_TIME_SCALE"],
              let value = Double(text), value > 0, value.isFinite else { return 1 }
        return value
    }()

    /// `deadline` times ``scale``.
    public static func scaled(_ deadline: Duration) -> Duration { deadline * scale }
}
