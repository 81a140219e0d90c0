/// An SVG rendering: one `<path>` of the dark modules on a white square, one user unit per module,
/// so it scales to any size without blurring (`crispEdges` keeps module edges sharp when a viewer
/// would otherwise antialias them into grey seams).
extension QRCode {
    /// Light modules around the symbol that scanners need to find it (the standard asks for four).
    public static let quietZone = 4

    /// A standalone SVG document `width` wide (any CSS length, e.g. "60mm"; nil leaves it to the viewBox).
    public func svg(width: String? = nil) -> String {
        let side = size + 2 * Self.quietZone
        let dimensions = width.map { " width=\"\($0)\" height=\"\($0)\"" } ?? ""
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(side) \(side)\"\(dimensions) shape-rendering=\"crispEdges\">"
            + svgElements() + "</svg>\n"
    }

    /// The white background and the dark modules, in module units with the quiet zone included,
    /// for embedding in a larger SVG (the poster) inside a scaled `<g>`.
    public func svgElements() -> String {
        let side = size + 2 * Self.quietZone
        return "<rect width=\"\(side)\" height=\"\(side)\" fill=\"#fff\" stroke=\"none\"/><path fill=\"#000\" stroke=\"none\" d=\"\(svgPathData())\"/>"
    }

    /// Each horizontal run of dark modules as one rectangle: "M x,y h length v1 h -length z".
    func svgPathData() -> String {
        var d = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard self[x, y] else { x += 1; continue }
                let start = x
                while x < size && self[x, y] { x += 1 }
                d += "M\(start + Self.quietZone),\(y + Self.quietZone)h\(x - start)v1h-\(x - start)z"
            }
        }
        return d
    }
}
