import Domain
import Foundation
import QRCode
import ServiceLifecycle
import WebGateway

/// `campusdesk poster "Building C, lift 2" --origin https://helpdesk.example.edu` writes the
/// place's A4 QR poster (SVG) to standard output, as `/posters` offers it to staff.
enum PosterCommand {
    static let usage = """
    usage: campusdesk poster "PLACE" --origin URL  > poster.svg
             URL: the helpdesk's address as phones reach it (http:// or https:// and a host, no path)

    """

    static func run(_ args: [String]) async -> Int32 {
        await CommandLineTool.run(args, command: "campusdesk poster", usage: usage) { parsed throws(CommandLineError) in
            var place: String?, originText: String?
            while let arg = parsed.next() {
                if arg == "--origin" { originText = try parsed.value(of: "--origin") } else if place == nil, !arg.hasPrefix("--") { place = arg } else { throw parsed.unexpected(arg) }
            }
            guard let place, let originText else {
                CommandLineTool.printError(usage)
                return ExitCode.usage
            }
            let checkedPlace: String
            do throws(Refusal) {
                guard let p = try TicketRules.shortField(place, field: "location") else {
                    CommandLineTool.printError("campusdesk poster: name the place the poster is for")
                    return ExitCode.usage
                }
                checkedPlace = p
            } catch {
                CommandLineTool.printError("campusdesk poster: \(error.reason)")
                return ExitCode.usage
            }
            let origin: String
            switch PosterOrigin.check(originText) {
            case .failure(let refusal):
                CommandLineTool.printError("campusdesk poster: \(refusal.reason)")
                return ExitCode.usage
            case .success(let o): origin = o
            }
            do {
                let svg = try QRPoster.svg(url: QRPoster.reportURL(origin: origin, place: checkedPlace), place: checkedPlace)
                FileHandle.standardOutput.write(Data(svg.utf8))
                return 0
            } catch {
                CommandLineTool.printError("campusdesk poster: the place and address are too long for a QR code")
                return 1
            }
        }
    }
}
