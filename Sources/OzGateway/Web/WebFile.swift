import Crypto
import Foundation
import NIOCore

/// One file of the web chatroom as served: its bytes, its media type and an entity tag for revalidation.
struct WebFile: Sendable {
    let contentType: String
    let bytes: ByteBuffer
    /// A strong validator (a hash of the bytes), so a browser revalidating with `If-None-Match` gets `304`.
    let etag: String

    init(name: String, bytes: ByteBuffer) {
        self.contentType = Self.contentType(of: name)
        self.bytes = bytes
        let digest = SHA256.hash(data: Array(bytes.readableBytesView))
        self.etag = "\"" + digest.prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
    }

    /// The media type for a file name's extension; text types say UTF-8 (the embedded files are UTF-8 text).
    static func contentType(of name: String) -> String {
        let suffix = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch suffix {
        case "html": return "text/html; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "json": return "application/json"
        case "txt": return "text/plain; charset=utf-8"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        default: return "application/octet-stream"
        }
    }
}
