import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Supervisor

/// `Options.stopLast`: `up --broker nats` stops its nats-server only once the processes using it are gone.
@Suite(.onDedicatedThreads) struct StopLastTests {
    @Test func aStopLastProcessGetsSIGTERMOnlyAfterTheOthersExited() async throws {
        let dir = try TemporaryDirectory("stop-last")
        defer { dir.remove() }
        let log = dir.path("order")
        // `app` takes its time to finish after SIGTERM; `dep` notes when it is told to stop.
        let procfile = try Procfile.parse("""
            dep: trap 'echo dep >> \(log); exit 0' TERM; echo ready >> \(log).dep; while :; do sleep 0.05; done
            app: trap 'sleep 0.3; echo app >> \(log); exit 0' TERM; echo ready >> \(log).app; while :; do sleep 0.05; done
            """)
        let finished = Mutex(false)
        let supervisor = Supervisor(procfile: procfile,
                                    options: .init(environment: ProcessInfo.processInfo.environment, executablePath: "/bin/echo", stopLast: ["dep"]),
                                    output: SupervisorOutput { _ in })
        Thread.detachNewThread {
            supervisor.run()
            finished.withLock { $0 = true }
        }
        defer { if !finished.withLock({ $0 }) { supervisor.requestStop() } }
        try await eventually("both processes to start") {
            FileManager.default.fileExists(atPath: log + ".dep") && FileManager.default.fileExists(atPath: log + ".app")
        }
        supervisor.requestStop()
        try await eventually("the supervisor to finish") { finished.withLock { $0 } }
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "app\ndep\n")
    }
}
