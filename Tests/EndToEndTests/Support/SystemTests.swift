import Testing
import TestSupport

/// The parent of every suite that starts real processes (workers, the gateway, the supervisor,
/// Chromium): they run one at a time, so they do not fight each other for the two cores, and on
/// ``DedicatedThreads``, since each blocks a thread while it waits on a process or a socket.
@Suite("Processes", .serialized, .onDedicatedThreads)
enum SystemTests {}
