/// A hand-assembled GIF: a 1×1 image with a global colour table, the NETSCAPE looping extension,
/// a graphic control extension, a comment, an XMP application extension, and HTML after the trailer.
public enum TinyGIF {
    public static let header: [UInt8] = Array("GIF89a".utf8) + [1, 0, 1, 0, 0x80, 0, 0] + [0, 0, 0, 255, 255, 255]
    public static let looping: [UInt8] = [0x21, 0xFF, 11] + Array("NETSCAPE2.0".utf8) + [3, 1, 0, 0, 0]
    public static let graphicControl: [UInt8] = [0x21, 0xF9, 4, 0, 10, 0, 0, 0]
    public static let image: [UInt8] = [0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0]
    public static let comment: [UInt8] = {
        let text = Array("Taken at Mill Road, GPS 52N".utf8)
        return [0x21, 0xFE, UInt8(text.count)] + text + [0]
    }()
    public static let xmp: [UInt8] = {
        let packet = Array("<x:xmpmeta><exif:GPSLatitude>52,12.5N</exif:GPSLatitude></x:xmpmeta>".utf8)
        return [0x21, 0xFF, 11] + Array("XMP DataXMP".utf8) + [UInt8(packet.count)] + packet + [0]
    }()
    public static let trailer: [UInt8] = [0x3B]

    /// The stored form: everything but the comment, the XMP and the bytes after the trailer.
    public static let plain: [UInt8] = header + looping + graphicControl + image + trailer
    public static let photo: [UInt8] = header + looping + comment + xmp + graphicControl + image + trailer + Array("<html>".utf8)
}
