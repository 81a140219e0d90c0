import Foundation

// `campusdesk-test-process`: the processes that tests start and kill, kept out of the shipped
// `campusdesk` (which has no hidden commands). Built with the tests (`swift build --build-tests`).
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "queue-consumer": exit(QueueTestProcess.consume(Array(arguments.dropFirst())))
case "queue-send": exit(QueueTestProcess.send(Array(arguments.dropFirst())))
case "remote-upload": exit(RemoteUploadTestProcess.upload(Array(arguments.dropFirst())))
default:
    FileHandle.standardError.write(Data("usage: campusdesk-test-process queue-consumer|queue-send|remote-upload [options]\n".utf8))
    exit(64)
}
