import Foundation
import SpoolBroker
import Supervisor
import HTTPServer

// The one executable: each subcommand is a service (run as its own process from the Procfile)
// or an operator tool. This file only dispatches; every command lives in its own file.

let arguments = Array(CommandLine.arguments.dropFirst())
let commands: [(name: String, summary: String, run: ([String]) async -> Int32)] = [
    ("version", "print the version", { _ in print("campusdesk 0.1.0"); return 0 }),
    ("classify", "file a description under a category, or --evaluate FILE", { args in await ClassifyCommand.run(args) }),
    ("gateway", "run the HTTP gateway (HTML UI, JSON API, dashboard)", { args in await GatewayCommand.run(args) }),
    ("up", "run every Procfile process (gateway, workers) under one supervisor", { args in await UpCommand.run(args) }),
    ("export", "write tickets as CSV to stdout: export [--status S]", { args in await ExportCommand.run(args) }),
    ("import", "send tickets from a CSV file to the ticket worker: import FILE.csv", { args in await ImportCommand.run(args) }),
    ("demo", "import a realistic demo history: demo [--count N] [--seed S]", { args in await DemoCommand.run(args) }),
    ("attachments", "remove attachment files no ticket refers to: attachments sweep [--grace SECONDS]", { args in await AttachmentsCommand.run(args) }),
    ("backup", "copy tickets.db, the analytics state, notifications.db and the attachment files, online and consistent: backup DIR", { args in await BackupCommand.run(args) }),
    ("queue", "inspect the spool (list, peek, dead, retry, purge, bindings)", { args in await QueueCommand.run(args) }),
    ("users", "accounts of the network desk (add, list, set-role, deactivate)", { args in await UsersCommand.run(args) }),
    ("issue-types", "the issue types reporters pick from (list, add, rename, retire)", { args in await IssueTypesCommand.run(args) }),
    ("poster", "write a place's QR poster (SVG): poster \"PLACE\" --origin URL", { args in await PosterCommand.run(args) }),
    ("ticket-worker", "run the ticket worker: apply commands, publish change events", { args in await TicketWorkerCommand.run(args) }),
    ("analytics", "run an analytics worker: open-tickets | resolution-time | category-load | service-levels", { args in await AnalyticsCommand.run(args) }),
    ("sla-monitor", "run the SLA monitor: record SLA timers crossing 75 % and 100 %", { args in await SLAMonitorCommand.run(args) }),
    ("notifier", "run the notifier: e-mail and text people what happened to their tickets", { args in await NotifierCommand.run(args) }),
    ("outbox", "the notifier's mock outbox and dead notifications (list, --dead, retry ID)", { args in await OutboxCommand.run(args) }),
    ("notify-prefs", "a person's notification channels and quiet hours: notify-prefs [USER_ID --channels C --quiet Q]", { args in await NotifyPrefsCommand.run(args) }),
]

@MainActor func usage() -> String {
    var text = "usage: campusdesk <command> [arguments]\n\ncommands:\n"
    for c in commands { text += "  \(c.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(c.summary)\n" }
    return text
}

guard let name = arguments.first, name != "--help", name != "-h", name != "help" else {
    if arguments.isEmpty {
        FileHandle.standardError.write(Data(usage().utf8))
        exit(64)
    }
    print(usage(), terminator: "")
    exit(0)
}
guard let command = commands.first(where: { $0.name == name }) else {
    FileHandle.standardError.write(Data("campusdesk: unknown command '\(name.prefix(40))'\n\n\(usage())".utf8))
    exit(64)
}
exit(await command.run(Array(arguments.dropFirst())))
