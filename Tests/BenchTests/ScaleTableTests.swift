import Testing
@testable import campusdesk_bench

@Suite("bench scale: arguments and the table")
struct ScaleTableTests {
    @Test func arguments_AreParsedAndSorted_WhenValid() throws {
        let o = try #require(ScaleOptions.parse(["scale", "--tickets", "100000,10000", "--seconds", "0.5", "--connections", "8",
                                                 "--attachments", "7", "--commands", "50", "--output", "t.md", "--spool-dir", "/tmp/s", "--keep"]))
        #expect(o.sizes == [10_000, 100_000])
        #expect(o.seconds == 0.5)
        #expect(o.connections == 8)
        #expect(o.attachmentCount(for: 10_000) == 7)
        #expect(o.commands == 50)
        #expect(o.output == "t.md")
        #expect(o.spoolParent == "/tmp/s")
        #expect(o.keep)
    }

    @Test func arguments_HaveTheIssuesDefaults() throws {
        let o = try #require(ScaleOptions.parse(["scale"]))
        #expect(o.sizes == [10_000, 100_000, 1_000_000])
        #expect(o.spoolParent == "/dev/shm")
        #expect(o.attachmentCount(for: 1_000_000) == 3_333)
        #expect(o.attachmentCount(for: 2_000) == 20)
        #expect(ScaleOptions.parse(["scale", "--tickets", "2000"])?.sizes == [2_000])
        #expect(o.bulk == false)
        #expect(ScaleOptions.parse(["scale", "--bulk", "--tickets", "1000000"])?.bulk == true)
    }

    @Test("bad arguments are a usage error", arguments: [
        ["scale", "--tickets"], ["scale", "--tickets", "10k"], ["scale", "--tickets", "10000,"], ["scale", "--tickets", "50"],
        ["scale", "--tickets", "10000,10000"], ["scale", "--seconds", "0"], ["scale", "--connections", "0"], ["scale", "--frobnicate", "1"],
    ])
    func badArguments_AreRefused(_ args: [String]) {
        #expect(ScaleOptions.parse(args) == nil)
    }

    @Test func table_HasAColumnPerSizeAndTheRatioOfLargestToSmallest() {
        var t = ScaleTable(sizes: [10_000, 1_000_000])
        t.set("GET /tickets", .latency, flat: true, size: 10_000, [0.5, 1.0, 4_000])
        t.set("GET /tickets", .latency, flat: true, size: 1_000_000, [0.6, 1.5, 3_600])
        t.set("import: time", .seconds, size: 10_000, [1.5])
        t.set("import: time", .seconds, size: 1_000_000, [147])
        t.set("backup: peak memory", .kilobytes, size: 10_000, [30_720])
        t.set("backup: peak memory", .kilobytes, size: 1_000_000, [31_744])
        t.note("GET /notifications", .latency, flat: true, size: 1_000_000, "HTTP 403")
        #expect(t.markdown() == """
            | Measure | 10,000 tickets | 1,000,000 tickets | ratio 1M / 10k |
            |---|---:|---:|---:|
            | GET /tickets | 0.50 / 1.00 ms · 4,000/s | 0.60 / 1.50 ms · 3,600/s | ×1.2 / ×1.5 · ×0.90 |
            | import: time | 1.50 s | 147.0 s | ×98 |
            | backup: peak memory | 30.0 MB | 31.0 MB | ×1.0 |
            | GET /notifications | – | HTTP 403 | – |

            """)
    }

    @Test func flatRow_IsMarkedAsAFinding_WhenItGrowsMoreThanTwice() {
        var t = ScaleTable(sizes: [10_000, 100_000, 1_000_000])
        t.set("/tickets?q=projector", .latency, flat: true, size: 10_000, [1, 2, 1_000])
        t.set("/tickets?q=projector", .latency, flat: true, size: 100_000, [5, 10, 200])
        t.set("/tickets?q=projector", .latency, flat: true, size: 1_000_000, [40, 100, 20])
        t.set("import: time", .seconds, size: 10_000, [1])
        t.set("import: time", .seconds, size: 1_000_000, [100])
        let rows = t.rows
        #expect(t.ratio(rows[0]) == [40, 50, 0.02])
        #expect(t.isFinding(rows[0]))
        #expect(!t.isFinding(rows[1]), "import grows with the file: not a flat row")
        t.set("GET /tickets", .latency, flat: true, size: 10_000, [0.5, 1, 6_000])
        t.set("GET /tickets", .latency, flat: true, size: 1_000_000, [0.6, 9, 5_000])
        #expect(!t.isFinding(t.rows[2]), "a p99 jump alone is the shared machine's noise")
        #expect(t.markdown().contains("| 1.00 / 2.00 ms · 1,000/s | 5.00 / 10.0 ms · 200/s | 40.0 / 100.0 ms · 20/s | **×40 / ×50 · ×0.02** ⚠ |"))
    }

    @Test func numbers_AreGroupedAndSizesShortened() {
        #expect(ScaleTable.grouped(1_234_567) == "1,234,567")
        #expect(ScaleTable.grouped(999) == "999")
        #expect(ScaleTable.short(10_000) == "10k")
        #expect(ScaleTable.short(1_000_000) == "1M")
        #expect(ScaleTable.short(2_500) == "2.5k")
        #expect(ScaleTable.short(150) == "150")
    }
}
