// MARK: - The Domain target
//
// The vocabulary of CampusDesk: tickets, messages, statuses, roles, categories, commands and their
// replies, change events, the rules a change must pass, timestamps and clocks. `Sendable` values and
// pure functions only, no I/O: every other target speaks in these types.
