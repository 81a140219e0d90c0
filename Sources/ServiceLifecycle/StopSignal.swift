import Dispatch
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The graceful-stop flag of one process: SIGTERM or SIGINT sets it, a second signal exits at once.
///
/// Why dispatch sources: nothing may run inside a signal handler, so the signals are ignored
/// (`SIG_IGN`) and delivered to a `DispatchSource` instead, whose handler sets the flag (and runs
/// `onFirst`, e.g. "stop accepting connections"). Loops poll `isRequested`, stop claiming work,
/// finish what is in flight and return, so the process exits 0. A second signal means the
/// operator will not wait: exit 1 without draining; what was not acknowledged is redelivered.
/// One per process, installed by `ServiceRunner` before the service starts.
public final class StopSignal: Sendable {
    private let count = Atomic<Int>(0)
    private let sources = Mutex<[InstalledSource]>([])

    public init() {}

    /// True once a stop was asked for (by a signal or by `requestStop`).
    public var isRequested: Bool { count.load(ordering: .relaxed) > 0 }

    /// Asks for a graceful stop without a signal (benchmarks, tests, a supervisor in-process).
    public func requestStop() { count.add(1, ordering: .relaxed) }

    /// Routes SIGTERM and SIGINT to this flag until `uninstall`.
    ///
    /// - Parameters:
    ///   - logger: where "stop requested" and "second signal" are logged.
    ///   - note: what a graceful stop does for this service, logged with the first signal.
    ///   - secondSignalExits: false for a process that must outlive a second signal (the
    ///     supervisor, which stops its children itself); `onSignal` then runs for every signal.
    ///   - onSignal: runs on a dispatch queue when the first signal arrives.
    public func install(logger: Logger, note: StaticString = "stop requested, finishing the work in hand",
                        secondSignalExits: Bool = true, onSignal: @escaping @Sendable (Int32) -> Void = { _ in }) {
        let made: [InstalledSource] = [SIGTERM, SIGINT].map { signo in
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { [self] in
                let n = count.add(1, ordering: .relaxed).newValue
                if n > 1 && secondSignalExits {
                    logger.warning("second signal, exiting now", ["signal": String(signo)])
                    exit(1)
                }
                if n == 1 { logger.info(note, ["signal": String(signo)]) }
                onSignal(signo)
            }
            source.resume()
            return InstalledSource(source: source)
        }
        sources.withLock { $0 += made }
    }

    /// Stops listening for the signals (their default action stays ignored).
    public func uninstall() {
        sources.withLock { s in
            for installed in s { installed.source.cancel() }
            s = []
        }
    }
}

/// A signal source kept until `uninstall`.
// Safe because libdispatch objects are thread-safe: a source may be resumed and cancelled from any
// thread, and the only operation done here after creation is `cancel()`.
private struct InstalledSource: @unchecked Sendable {
    let source: any DispatchSourceSignal
}
