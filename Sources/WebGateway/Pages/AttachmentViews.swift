import Domain

/// The file picker of the report, message and edit forms (`enctype="multipart/form-data"`, no script needed).
///
/// `accept` names images first, so a phone offers the camera and the photo library; PDF and text
/// files are accepted too. The server decides the type from the content anyway.
enum AttachmentField {
    static let accept = "image/*,application/pdf,text/plain,.pdf,.txt"

    static func render(idPrefix: String, label: String = "Photo or file", state: FormState, into b: inout HTMLBuffer) {
        Field.control(.file, name: "file", label: label, idPrefix: idPrefix, state: state,
                      hint: "A photo, a screenshot, a PDF or a text file, up to 10 MB. Location and camera data are removed from photos.",
                      extra: "accept=\"\(accept)\"", into: &b)
    }
}

/// The files of a ticket on its page: images shown inline at a bounded size (CSS `.attachment-image`),
/// other files as links that download.
enum AttachmentList {
    /// - Parameter captioned: every file with its name, kind and size, images as thumbnails
    ///   (`.attachment-image.thumb`): the edit form's list of what the ticket holds.
    static func render(_ attachments: [Attachment], captioned: Bool = false, into b: inout HTMLBuffer) {
        guard !attachments.isEmpty else { return }
        b.raw(captioned ? "<ul class=\"attachments captioned\">\n" : "<ul class=\"attachments\">\n")
        for a in attachments {
            b.raw("<li>")
            if a.isImage && a.contentType != "image/heic" {
                b.raw("<a href=\"/attachments/")
                b.text(a.id.rawValue)
                b.raw(captioned ? "\"><img class=\"attachment-image thumb\" src=\"/attachments/" : "\"><img class=\"attachment-image\" src=\"/attachments/")
                b.text(a.id.rawValue)
                b.raw("\" alt=\"")
                b.text(a.filename)
                b.raw("\" loading=\"lazy\"></a>")
                if captioned {
                    b.raw("<span>")
                    b.text(a.filename)
                    b.raw(" <span class=\"muted\">(")
                    b.text(kind(a.contentType))
                    b.raw(", ")
                    b.text(size(a.size))
                    b.raw(")</span></span>")
                }
            } else {
                b.raw("<a href=\"/attachments/")
                b.text(a.id.rawValue)
                b.raw("\" download>")
                b.text(a.filename)
                b.raw("</a> <span class=\"muted\">(")
                b.text(kind(a.contentType))
                b.raw(", ")
                b.text(size(a.size))
                b.raw(")</span>")
            }
            b.raw("</li>\n")
        }
        b.raw("</ul>\n")
    }

    static func kind(_ type: String) -> String {
        switch type {
        case "application/pdf": "PDF"
        case "text/plain; charset=utf-8": "text"
        default: "image"
        }
    }

    static func size(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) bytes" }
        if bytes < 1024 * 1024 { return "\((bytes + 512) / 1024) KB" }
        return "\(Double((bytes * 10 + 524_288) / 1_048_576) / 10) MB"
    }
}
