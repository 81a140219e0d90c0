import Domain

/// The file picker of the report and message forms (`enctype="multipart/form-data"`, no script needed).
///
/// `accept` names images first, so a phone offers the camera and the photo library; PDF and text
/// files are accepted too. The server decides the type from the content anyway.
enum AttachmentField {
    static let accept = "image/*,application/pdf,text/plain,.pdf,.txt"

    static func render(idPrefix: String, state: FormState, into b: inout HTMLBuffer) {
        Field.control(.file, name: "file", label: "Photo or file", idPrefix: idPrefix, state: state,
                      hint: "A photo, a screenshot, a PDF or a text file, up to 10 MB. Location and camera data are removed from photos.",
                      extra: "accept=\"\(accept)\"", into: &b)
    }
}

/// The files of a ticket on its page: images shown inline at a bounded size (CSS `.attachment-image`),
/// other files as links that download.
enum AttachmentList {
    static func render(_ attachments: [Attachment], into b: inout HTMLBuffer) {
        guard !attachments.isEmpty else { return }
        b.raw("<ul class=\"attachments\">\n")
        for a in attachments {
            b.raw("<li>")
            if a.isImage && a.contentType != "image/heic" {
                b.raw("<a href=\"/attachments/")
                b.text(a.id.rawValue)
                b.raw("\"><img class=\"attachment-image\" src=\"/attachments/")
                b.text(a.id.rawValue)
                b.raw("\" alt=\"")
                b.text(a.filename)
                b.raw("\" loading=\"lazy\"></a>")
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
