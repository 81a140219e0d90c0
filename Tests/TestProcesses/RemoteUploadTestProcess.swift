import Foundation
import RemoteFiles
import TicketStore
#if canImport(Glibc)
import Glibc
#endif

/// `campusdesk-test-process remote-upload --nats URL --data DIR --sha256 HEX --chunk BYTES`: a
/// gateway's delivery of a stored file to the attachment home (the code `RemoteAttachmentHome`
/// runs for every upload of a gateway with `CAMPUSDESK_GATEWAY_FILES=own`), which stops half way:
/// after its first acknowledged chunk it prints `sent <bytes>` and waits to be killed.
enum RemoteUploadTestProcess {
    static func upload(_ args: [String]) -> Int32 {
        var opts: [String: String] = [:]
        var i = 0
        while i + 1 < args.count { opts[args[i]] = args[i + 1]; i += 2 }
        guard let url = opts["--nats"], let data = opts["--data"], let sha = opts["--sha256"], let chunk = opts["--chunk"].flatMap({ Int($0) }) else {
            FileHandle.standardError.write(Data("usage: campusdesk-test-process remote-upload --nats URL --data DIR --sha256 HEX --chunk BYTES\n".utf8))
            return 64
        }
        do {
            let remote = try RemoteAttachmentHome(url: url, name: "test-uploader", maxFileBytes: 1 << 30)
            let home = RemoteAttachmentHome(connection: remote.connection, maxFileBytes: 1 << 30, chunkBytes: chunk)
            try home.deliverBlocking(sha256: sha, from: AttachmentFiles(dataDirectory: data)) { sent in
                FileHandle.standardOutput.write(Data("sent \(sent)\n".utf8))
                while true { pause() }
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("remote-upload: \(error)\n".utf8))
            return 1
        }
    }
}
