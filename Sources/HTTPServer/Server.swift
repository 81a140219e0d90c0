import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 server: one poll(2) event-loop thread for all sockets, handlers on the Swift pool.
///
/// The loop thread owns every socket and does the blocking-free I/O, parsing, timeouts and
/// writing; each complete request becomes a child task of ``run()``'s task group, so a slow
/// handler delays only its own connection and no syscall ever blocks the cooperative pool.
/// A connection handles one request at a time: pipelined requests wait in its buffer and are
/// answered in order.
public final class Server: Sendable {
    /// The port actually bound (the kernel's choice when configured with 0).
    public let port: UInt16
    private let configuration: ServerConfiguration
    private let handler: Handler
    private let loop: EventLoop
    private let started = Atomic<Bool>(false)

    /// Binds and listens at once, so the port is known (and taken) before ``run()``.
    public init(configuration: ServerConfiguration, handler: @escaping Handler) throws(SocketError) {
        let listener = try Socket.listen(host: configuration.host, port: configuration.port)
        do throws(SocketError) {
            port = try listener.boundPort()
            loop = try EventLoop(listener: listener, configuration: configuration)
        } catch {
            listener.close()
            throw error
        }
        self.configuration = configuration
        self.handler = handler
    }

    /// Serves until ``shutdown()`` has drained the connections; returns then.
    ///
    /// Call once. Handlers still running when the grace period ends are cancelled and awaited.
    public func run() async {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else {
            configuration.log?(HTTPLogEvent(.error, "server run called twice"))
            return
        }
        let (jobs, continuation) = AsyncStream.makeStream(of: EventLoop.Job.self)
        let loop = self.loop
        let handler = self.handler
        let thread = Thread {
            loop.run(submit: { continuation.yield($0) })
            continuation.finish()
        }
        thread.name = "http-event-loop"
        thread.start()
        configuration.log?(HTTPLogEvent(.info, "server listening", [("http.host", configuration.host), ("http.port", "\(port)")]))
        await withDiscardingTaskGroup { group in
            for await job in jobs {
                group.addTask {
                    let response = await handler(job.request)
                    loop.complete(job, response)
                }
            }
            group.cancelAll()
        }
        configuration.log?(HTTPLogEvent(.info, "server stopped"))
    }

    /// Starts a graceful shutdown; safe from any thread or signal source, idempotent.
    ///
    /// Stops accepting, closes idle keep-alive connections, lets requests in flight finish
    /// (answered with `Connection: close`) within the grace period, then ``run()`` returns.
    public func shutdown() {
        loop.requestShutdown()
    }

    /// Number of open connections, for tests and metrics.
    public var connectionCount: Int { loop.connectionCount.load(ordering: .relaxed) }
}
