import Domain
/// Counts tickets per category and status.
///
/// Why all statuses: the dashboard shows active load per category with open and closed beside it,
/// and a status change or a category override only moves one ticket between two cells.
public struct CategoryLoadAggregate: AnalyticsAggregate, Equatable {
    /// A cell of the table.
    public struct Cell: Hashable, Sendable {
        public var category: Category
        public var status: Status
        public init(category: Category, status: Status) {
            self.category = category
            self.status = status
        }
    }

    public private(set) var counts: [Cell: Int]

    public init(counts: [Cell: Int] = [:]) { self.counts = counts.filter { $0.value != 0 } }

    public mutating func apply(_ event: ChangeEvent) {
        if let before = event.before { add(-1, Cell(category: before.category, status: before.status)) }
        add(1, Cell(category: event.after.category, status: event.after.status))
    }

    public func keys(of facts: TicketFacts) -> [Cell] { [Cell(category: facts.category, status: facts.status)] }

    /// The stored count of one cell.
    public func count(_ cell: Cell) -> Int { counts[cell] ?? 0 }

    /// Every category, in `Category.allCases` order, with all three counts.
    public func answer() -> CategoryLoadAnswer {
        CategoryLoadAnswer(categories: Category.allCases.map { c in
            CategoryLoad(category: c,
                         open: count(Cell(category: c, status: .open)),
                         active: count(Cell(category: c, status: .active)),
                         closed: count(Cell(category: c, status: .closed)))
        })
    }

    private mutating func add(_ delta: Int, _ cell: Cell) {
        let n = (counts[cell] ?? 0) + delta
        counts[cell] = n == 0 ? nil : n
    }
}
