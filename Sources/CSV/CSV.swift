// MARK: - The CSV target
//
// RFC 4180 reading and writing, and the ticket import/export columns (`TicketCSV`).
