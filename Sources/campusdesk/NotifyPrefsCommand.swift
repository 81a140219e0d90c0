import Domain
import Notifier
import ServiceLifecycle
import Foundation

/// `campusdesk notify-prefs`: a person's notification preferences, kept in `<data>/notifications.db`
/// (docs/notifications.md, "Preferences").
///
/// - `notify-prefs`: every stored preference;
/// - `notify-prefs USER_ID [--channels C] [--quiet Q]`: sets them (what is not given stays), then
///   prints the person's line. The running notifier applies it to the next event it stores.
enum NotifyPrefsCommand {
    static let usage = """
        usage: campusdesk notify-prefs                                        list the stored preferences
               campusdesk notify-prefs USER_ID [--channels C] [--quiet Q]     set a person's preferences
                 C: default | none | email | sms | email,sms
                 Q: quiet hours such as "daily 22:00-07:00" or "weekdays 18:00-08:00", or none

        """

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk notify-prefs", usage: usage) { args throws(CommandLineError) in
            let config = try Configuration.fromCommandLine("campusdesk notify-prefs")
            let path = NotifierConfiguration.queuePath(inDataDirectory: config.dataDirectory)
            guard let first = args.next() else { return try list(path: path) }
            guard let id = Int64(first), id > 0 else { throw .usage("campusdesk notify-prefs: USER_ID must be an account number, not '\(first.prefix(40))'") }
            var channels: Set<NotificationChannel>??
            var quiet: ContactWindow??
            while let flag = args.next() {
                switch flag {
                case "--channels":
                    let text = try args.value(of: flag)
                    guard let parsed = NotificationPreference.channels(parsing: text) else {
                        throw .usage("campusdesk notify-prefs: --channels takes default, none, email, sms or email,sms, not '\(text.prefix(40))'")
                    }
                    channels = .some(parsed)
                case "--quiet":
                    let text = try args.value(of: flag)
                    if text.lowercased() == "none" {
                        quiet = .some(nil)
                    } else if let window = ContactWindow(parsing: text) {
                        quiet = .some(window)
                    } else {
                        throw .usage("campusdesk notify-prefs: --quiet: \(ContactWindow.rule)")
                    }
                default:
                    throw args.unexpected(flag)
                }
            }
            return try set(UserID(id), channels: channels, quiet: quiet, path: path)
        }
    }

    static func list(path: String) throws(CommandLineError) -> Int32 {
        do {
            let preferences = try DeliveryQueue(path: path).preferences()
            guard !preferences.isEmpty else {
                print("no preferences stored: everyone gets the defaults (docs/notifications.md)")
                return ExitCode.success
            }
            print(table(preferences), terminator: "")
            return ExitCode.success
        } catch {
            throw .failure("campusdesk notify-prefs: \(error)")
        }
    }

    static func set(_ user: UserID, channels: Set<NotificationChannel>??, quiet: ContactWindow??, path: String) throws(CommandLineError) -> Int32 {
        do {
            let queue = try DeliveryQueue(path: path)
            var preference = try queue.preference(of: user) ?? NotificationPreference(userID: user)
            if let channels { preference.channels = channels }
            if let quiet { preference.quietHours = quiet }
            try queue.setPreference(preference)
            print(table([preference]), terminator: "")
            return ExitCode.success
        } catch {
            throw .failure("campusdesk notify-prefs: \(error)")
        }
    }

    static func table(_ preferences: [NotificationPreference]) -> String {
        TextTable.render(["USER", "CHANNELS", "QUIET HOURS"], preferences.map {
            [String($0.userID.rawValue), $0.channelsText, $0.quietHours?.text ?? "-"]
        })
    }
}
