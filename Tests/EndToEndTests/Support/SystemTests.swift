import Testing

/// The parent of the whole-system suites (chaos, stopped worker, full disk, attacks): each starts
/// five processes, so they run one at a time rather than starving each other on a small machine.
@Suite("Whole system", .serialized)
enum SystemTests {}
