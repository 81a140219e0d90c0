import Foundation
import Testing

/// What `eventually` throws when its condition never held: what it waited for, how long, and what it saw last.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public var what: String
    public var waited: Duration
    /// The condition's last observation, when it gave one.
    public var lastSeen: String?
    public var sourceLocation: SourceLocation

    public var description: String {
        var text = "timed out after \(waited) waiting for \(what)"
        if let lastSeen { text += "; last seen: \(lastSeen)" }
        return text + " (\(sourceLocation.fileID):\(sourceLocation.line))"
    }
}

/// Waits until `condition` holds, checking every `poll`, for at most `within` (scaled by ``TestTime``).
///
/// The one way a test waits for something that happens elsewhere (a worker, a child process, a
/// socket): on the event, never for a fixed time. The condition is checked once more after the
/// deadline, so a test starved past it by a loaded machine still sees what happened meanwhile.
/// Errors the condition throws end the wait at once.
///
/// - Throws: ``WaitTimedOut`` naming `what`, when the deadline passes first.
public func eventually(
    _ what: String, within: Duration = .seconds(20), poll: Duration = .milliseconds(20),
    sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws {
    try await eventually(what, within: within, poll: poll, sourceLocation: sourceLocation) { (_: inout String?) in try await condition() }
}

/// Waits like ``eventually(_:within:poll:sourceLocation:_:)``; the condition also notes what it saw
/// (`lastSeen = "\(count) rows"`), and a timeout reports the last such note.
public func eventually(
    _ what: String, within: Duration = .seconds(20), poll: Duration = .milliseconds(20),
    sourceLocation: SourceLocation = #_sourceLocation, _ condition: (_ lastSeen: inout String?) async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let started = clock.now
    let deadline = started + TestTime.scaled(within)
    var lastSeen: String?
    while true {
        if try await condition(&lastSeen) { return }
        if clock.now >= deadline {
            throw WaitTimedOut(what: what, waited: clock.now - started, lastSeen: lastSeen, sourceLocation: sourceLocation)
        }
        try await Task.sleep(for: poll)
    }
}
