// MARK: - The TicketService target
//
// The ticket worker, sole writer of tickets.db: claims commands, applies them through the store,
// replies, publishes the outbox's change events, replays for analytics, indexes imported tickets.
