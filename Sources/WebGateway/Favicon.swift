/// The site icon, served at `/favicon.ico`: a 16 × 16 ICO drawn in code.
///
/// Why served at all: browsers ask for `/favicon.ico` on every first visit whatever the page
/// says, and a 404 there fills the logs and the browser console with an error. Why drawn here:
/// an ICO is a small fixed structure (ICONDIR, one entry, a bottom-up 32-bit BMP and its AND
/// mask), so a few lines make one without a binary file in the repository.
enum Favicon {
    static let size = 16

    static let asset = StaticAsset(body: ico(), contentType: "image/x-icon")

    /// The accent blue square with a white "C"-shaped ring, as ICO bytes.
    static func ico() -> [UInt8] {
        let pixels = size * size * 4
        let maskRow = 4  // 16 bits padded to 32
        let image = 40 + pixels + size * maskRow
        var b: [UInt8] = []
        b.reserveCapacity(6 + 16 + image)
        le16(0, &b); le16(1, &b); le16(1, &b)                         // ICONDIR: reserved, type icon, one image
        b += [UInt8(size), UInt8(size), 0, 0]; le16(1, &b); le16(32, &b) // entry: 16×16, no palette, planes, bpp
        le32(image, &b); le32(6 + 16, &b)                              // bytes in image, offset of image
        le32(40, &b); le32(size, &b); le32(size * 2, &b)               // BITMAPINFOHEADER: height counts the mask
        le16(1, &b); le16(32, &b); le32(0, &b); le32(pixels, &b)
        le32(0, &b); le32(0, &b); le32(0, &b); le32(0, &b)
        for row in 0..<size {
            let y = size - 1 - row  // bottom-up
            for x in 0..<size {
                let (dx, dy) = (Double(x) - 7.5, Double(y) - 7.5)
                let r = (dx * dx + dy * dy).squareRoot()
                let ring = r >= 3.2 && r <= 5.6 && !(dx > 2 && abs(dy) < 2.2)
                b += ring ? [0xFF, 0xFF, 0xFF, 0xFF] : [0x9C, 0x4F, 0x0B, 0xFF]  // BGRA: white or #0b4f9c
            }
        }
        b += [UInt8](repeating: 0, count: size * maskRow)  // AND mask: every pixel opaque
        return b
    }

    private static func le16(_ v: Int, _ b: inout [UInt8]) { b += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    private static func le32(_ v: Int, _ b: inout [UInt8]) { for shift in stride(from: 0, to: 32, by: 8) { b.append(UInt8((v >> shift) & 0xFF)) } }
}
