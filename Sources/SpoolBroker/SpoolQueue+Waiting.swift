import Foundation
import Synchronization
import Domain
#if canImport(Glibc)
import Glibc
#endif

/// Waiting for messages without spinning: inotify on `new/`, a poll interval as the safety net,
/// and the due time of the earliest deferred retry.
extension SpoolQueue {
    /// Blocks until a message may be claimable or `timeout` passes; true if something is there.
    ///
    /// Wakes on inotify (a rename into `new/`), and rescans at least every `limits.pollInterval`
    /// so a lost notification (or a missing inotify) only delays, never strands, a message. Settles
    /// that failed before (SpoolQueue.swift, "Settle") are tried again on each rescan.
    /// Blocking: call it from a dedicated thread, or use `messages(max:timeout:)`.
    public func waitForMessages(timeout: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        let fd = inotifyDescriptor()
        while true {
            // A consumer that only claims when something arrives (a reply listener) still gets its
            // failed settles finished while it waits.
            state.withLock { (s: inout State) in settleUnsettledLocked(&s) }
            if hasClaimable() { return true }
            let remaining = clock.now.duration(to: deadline)
            if remaining <= .zero { return false }
            var sliceMs = min(remaining.milliseconds + 1, spool.limits.pollInterval.milliseconds)
            if let due = nextDueMillis() { sliceMs = min(sliceMs, max(0, due - now.millisecondsSinceEpoch) + 1) }
            if fd >= 0 {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&p, 1, Int32(max(1, sliceMs))) > 0 { drainInotify(fd) }
            } else {
                usleep(UInt32(max(1, sliceMs)) * 1000)
            }
        }
    }

    /// Async wrapper: waits on this queue's own dispatch queue (off the cooperative pool), then claims.
    public func messages(max: Int, timeout: Duration, knownTypes: Set<String>?) async throws(SpoolError) -> [Delivery] {
        let result: Result<[Delivery], SpoolError> = await withCheckedContinuation { c in
            waitQueue.async {
                do throws(SpoolError) {
                    var got = try self.claim(max: max, knownTypes: knownTypes)
                    if got.isEmpty, self.waitForMessages(timeout: timeout) {
                        got = try self.claim(max: max, knownTypes: knownTypes)
                    }
                    c.resume(returning: .success(got))
                } catch {
                    c.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    private func hasClaimable() -> Bool {
        if state.withLock({ !$0.buffer.isEmpty }) { return true }
        let entries = (try? SpoolIO.list("new", at: queueFD)) ?? []
        if entries.contains(where: { !$0.isDirectory && !$0.name.hasPrefix(".") }) { return true }
        if let due = nextDueMillis(), due <= now.millisecondsSinceEpoch { return true }
        return false
    }

    private func inotifyDescriptor() -> Int32 {
        inotify.withLock { fd in
            if fd >= 0 { return fd }
            let n = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            guard n >= 0 else {
                spool.logger.warning("inotify unavailable, polling", ["queue.name": name.rawValue, "errno": String(errno)])
                return -1
            }
            let mask = UInt32(IN_MOVED_TO | IN_CREATE | IN_CLOSE_WRITE)
            guard inotify_add_watch(n, path + "/new", mask) >= 0 else {
                close(n)
                return -1
            }
            fd = n
            return n
        }
    }

    private func drainInotify(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
    }

}
