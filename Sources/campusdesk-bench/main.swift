import Foundation

// `campusdesk-bench PART [options]`: the benchmarks, kept out of the shipped `campusdesk`.
// Run them in release: `swift build -c release && .build/release/campusdesk-bench PART` (the
// round-trip benchmarks start the `campusdesk` built beside this binary). docs/performance.md
// records each figure with its command.
exit(await BenchParts.run(Array(CommandLine.arguments.dropFirst())))
