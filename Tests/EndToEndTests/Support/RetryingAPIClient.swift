import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A JSON API client that retries one change until it has a final answer, always with the same
/// `Idempotency-Key`: what makes "applied exactly once" provable while processes are being killed.
///
/// Connection errors, 503 and 202 (queued) are retried; 200/201 are final successes; any other
/// 4xx is a final refusal.
final class RetryingAPIClient {
    let port: UInt16
    private let client: RawHTTPClient

    /// What became of one change request.
    struct Outcome {
        /// The final status (200/201 applied, 4xx refused), nil if the deadline passed first.
        var finalStatus: Int?
        var body: [UInt8] = []
        /// True once any 2xx came back: the gateway took responsibility for the change.
        var acknowledged = false
        var attempts = 0
        var connectionErrors = 0
        var unavailable = 0
        var queued = 0
        var applied: Bool { finalStatus == 200 || finalStatus == 201 }
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    init(port: UInt16) {
        self.port = port
        client = RawHTTPClient(port: port)
    }

    deinit { client.close() }

    /// Sends `method path` with a JSON body under `key` until a final answer or `deadline`.
    func change(_ method: String, _ path: String, json: String, key: String, role: String = "user", deadline: Date) -> Outcome {
        var outcome = Outcome()
        var pause = 0.05
        while Date() < deadline {
            outcome.attempts += 1
            let headers = [("Content-Type", "application/json"), ("Idempotency-Key", key), ("X-CampusDesk-Role", role)]
            do {
                let r = try client.request(method, path, headers: headers, text: json)
                switch r.status {
                case 200, 201:
                    outcome.acknowledged = true
                    outcome.finalStatus = r.status
                    outcome.body = r.body
                    return outcome
                case 202:
                    outcome.acknowledged = true
                    outcome.queued += 1
                case 503:
                    outcome.unavailable += 1
                case 400..<500:
                    outcome.finalStatus = r.status
                    outcome.body = r.body
                    return outcome
                default:
                    outcome.unavailable += 1
                }
            } catch {
                outcome.connectionErrors += 1
                client.close()
            }
            Thread.sleep(forTimeInterval: pause)  // sleep-ok: the client's retry backoff, as a real client paces itself
            pause = min(pause * 2, 0.5)
        }
        return outcome
    }
}
