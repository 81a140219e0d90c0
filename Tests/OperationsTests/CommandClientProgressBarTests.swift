import Foundation
import Synchronization
import Testing
@testable import SpoolBroker
@testable import Operations

@Suite struct CommandClientProgressBarTests {
    @Test func barShowsFilledCellsCountsPercentAndRate() {
        let bar = ProgressBar(label: "importing", total: 3_000, width: 10)
        #expect(bar.bar(done: 1_234, elapsed: .seconds(2)) == "importing [####......] 1,234/3,000  41%  617/s")
        #expect(bar.bar(done: 0, elapsed: .zero) == "importing [..........] 0/3,000  0%")
        #expect(bar.bar(done: 3_000, elapsed: .seconds(3)) == "importing [##########] 3,000/3,000  100%  1,000/s")
    }

    @Test func lineIsThePlainFormForLogs() {
        let bar = ProgressBar(label: "demo", total: 1_000_000)
        #expect(bar.line(done: 250_000, elapsed: .milliseconds(100)) == "demo: 250,000/1,000,000  25%")
    }

    @Test func emptyTotalCountsAsComplete() {
        #expect(ProgressBar(label: "x", total: 0, width: 4).bar(done: 0, elapsed: .zero) == "x [####] 0/0  100%")
    }

    @Test func terminalDisplayRedrawsInPlaceAndEndsWithANewline() {
        let out = Mutex<[String]>([])
        let display = ProgressDisplay(label: "demo", total: 10, isTerminal: true, interval: .zero) { text in out.withLock { $0.append(text) } }
        display.update(done: 5)
        display.finish(done: 10)
        display.update(done: 10)
        let writes = out.withLock { $0 }
        #expect(writes.count == 2)
        #expect(writes[0].hasPrefix("\rdemo [###############...............] 5/10  50%"))
        #expect(writes[0].hasSuffix("\u{1B}[K"))
        #expect(writes[1].hasPrefix("\rdemo [##############################] 10/10  100%"))
        #expect(writes[1].hasSuffix("\u{1B}[K\n"))
    }

    @Test func plainDisplayWritesWholeLinesAndThrottles() {
        let out = Mutex<[String]>([])
        let display = ProgressDisplay(label: "import", total: 4, isTerminal: false, interval: .seconds(3600)) { text in out.withLock { $0.append(text) } }
        display.update(done: 1)
        display.update(done: 2)
        display.update(done: 3)
        display.finish(done: 4)
        let writes = out.withLock { $0 }
        #expect(writes.map { String($0.prefix(while: { $0 != " " })) } == ["import:", "import:"])
        #expect(writes[0].hasPrefix("import: 1/4  25%"))
        #expect(writes[1].hasPrefix("import: 4/4  100%"))
        #expect(writes.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })
    }
}
