import Credentials
import Foundation

/// `campusdesk-bench credentials [--runs N]`: what a password hash and a session lookup cost.
///
/// A login pays one `PasswordHash.verify` at the default 600,000 iterations; a login for an
/// unknown e-mail pays `burnEquivalentWork` instead, which must cost the same; every request with
/// a session cookie pays one `SessionToken.digest`. Wall time is the median of N runs; CPU time
/// (getrusage) is given beside it, since the shared machine's load stretches wall time.
enum BenchCredentialsCommand {
    static func run(_ args: [String]) async -> Int32 {
        var runs = 5
        if args.count == 3, args[1] == "--runs", let n = Int(args[2]), n > 0 {
            runs = n
        } else if args.count != 1 || args.first != "credentials" {
            FileHandle.standardError.write(Data("usage: campusdesk-bench credentials [--runs N]\n".utf8))
            return 64
        }
        let password = "correct horse battery staple"
        var encoded = ""
        print("PasswordHash at \(PasswordHash.defaultIterations) iterations, median of \(runs) runs (wall; CPU):")
        print("  make:                   " + timed(runs) { encoded = PasswordHash.make(password: password) })
        var verdicts = 0
        print("  verify, right password: " + timed(runs) { if PasswordHash.verify(password: password, encoded: encoded) { verdicts += 1 } })
        print("  verify, wrong password: " + timed(runs) { if PasswordHash.verify(password: "wrong", encoded: encoded) { verdicts += 100 } })
        print("  burnEquivalentWork:     " + timed(runs) { PasswordHash.burnEquivalentWork(password: password) })
        guard verdicts == runs else {
            FileHandle.standardError.write(Data("campusdesk-bench credentials: verify gave wrong answers\n".utf8))
            return 1
        }

        let calls = 200_000
        let tokens = (0..<1000).map { _ in SessionToken.generate() }
        var checksum = 0
        let clock = ContinuousClock()
        let digestTime = clock.measure {
            for i in 0..<calls { checksum &+= SessionToken.digest(tokens[i % tokens.count]).utf8.count }
        }
        let generateTime = clock.measure {
            for _ in 0..<calls / 10 { checksum &+= SessionToken.generate().utf8.count }
        }
        // Depending on the results keeps the optimiser from dropping the calls.
        if checksum == 0 { print(checksum) }
        print("SessionToken.digest:   \(nanoseconds(digestTime / calls)) ns per call (\(calls) calls)")
        print("SessionToken.generate: \(nanoseconds(generateTime / (calls / 10))) ns per call (\(calls / 10) calls)")
        return 0
    }

    /// "median wall ms; median CPU ms (min - max wall)" of `runs` runs of `body`.
    private static func timed(_ runs: Int, _ body: () -> Void) -> String {
        var walls: [Double] = [], cpus: [Double] = []
        for _ in 0..<runs {
            let cpu0 = BenchStoreCommand.processCPU()
            let wall0 = DispatchTime.now().uptimeNanoseconds
            body()
            let wall = Double(DispatchTime.now().uptimeNanoseconds - wall0) / 1e6
            let cpu1 = BenchStoreCommand.processCPU()
            walls.append(wall)
            cpus.append((cpu1.user + cpu1.system - cpu0.user - cpu0.system) * 1000)
        }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        return String(format: "%.0f ms; CPU %.0f ms (wall %.0f - %.0f ms)", median(walls), median(cpus), walls.min() ?? 0, walls.max() ?? 0)
    }

    private static func nanoseconds(_ d: Duration) -> String {
        String(format: "%.0f", Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9)
    }
}
