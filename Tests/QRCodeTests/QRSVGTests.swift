import Foundation
@testable import QRCode
import TestSupport
import Testing

@Suite struct QRSVGTests {
    @Test("The SVG's path, read back module by module, is the symbol with a four-module quiet zone")
    func svgPath_drawsExactlyTheDarkModules() throws {
        for text in ["a", "https://desk.campus.example/tickets/new?location=Building%20C%2C%20lift%202", String(repeating: "x", count: 300)] {
            let code = try QRCode(text: text)
            let svg = code.svg()
            let side = code.size + 2 * QRCode.quietZone
            #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(side) \(side)\""))
            #expect(svg.contains("shape-rendering=\"crispEdges\""))
            #expect(svg.components(separatedBy: "<path").count == 2)

            let drawn = try Self.modules(ofPath: code.svgPathData(), side: side)
            for y in 0..<side {
                for x in 0..<side {
                    let inside = (0..<code.size).contains(x - QRCode.quietZone) && (0..<code.size).contains(y - QRCode.quietZone)
                    let expected = inside && code[x - QRCode.quietZone, y - QRCode.quietZone]
                    #expect(drawn[y * side + x] == expected, "module (\(x), \(y)) of \(code.version)")
                }
            }
        }
    }

    @Test("A given width sets width and height; without one the viewBox alone sizes it")
    func svg_width() throws {
        let code = try QRCode(text: "x")
        #expect(code.svg(width: "40mm").contains(" width=\"40mm\" height=\"40mm\" "))
        #expect(!code.svg().contains("width=\"4"))
    }

    /// Fills the rectangles of "Mx,yhNv1h-Nz" commands, failing on anything else, and on overlaps
    /// (each dark module must be drawn once).
    static func modules(ofPath d: String, side: Int) throws -> [Bool] {
        var grid = Array(repeating: false, count: side * side)
        let scanner = Scanner(string: d)
        scanner.charactersToBeSkipped = nil
        while !scanner.isAtEnd {
            #expect(scanner.scanString("M") != nil)
            let x = try #require(scanner.scanInt())
            #expect(scanner.scanString(",") != nil)
            let y = try #require(scanner.scanInt())
            #expect(scanner.scanString("h") != nil)
            let length = try #require(scanner.scanInt())
            #expect(scanner.scanString("v1h-") != nil)
            #expect(scanner.scanInt() == length)
            try #require(scanner.scanString("z") != nil, "unexpected path data after M\(x),\(y)")
            for i in x..<(x + length) {
                #expect(!grid[y * side + i], "module (\(i), \(y)) drawn twice")
                grid[y * side + i] = true
            }
        }
        return grid
    }
}
