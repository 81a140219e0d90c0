import Testing

/// The parent of every suite that starts real processes (workers, the gateway, the supervisor,
/// Chromium): they run one at a time. Each blocks a thread of the small cooperative pool while it
/// waits on a process or a socket; two at once on a 2-core machine would leave nothing for the
/// in-process tests running beside them.
@Suite("Processes", .serialized)
enum SystemTests {}
