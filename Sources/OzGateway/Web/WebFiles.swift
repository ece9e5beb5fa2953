import Foundation
import NIOCore
import NIOPosix
import OzWebFiles

/// Finds the web file a request path names: in the copy built into the binary, or in a folder (`--web-dir`).
struct WebFiles: Sendable {
    let source: GatewayWeb.Source

    /// Largest file served from a folder: the chatroom's files are a few KiB; this only stops a mistake (a disk image
    /// dropped into the folder) from being read into memory.
    static let maxFolderFileBytes = 4 * 1024 * 1024

    /// The built-in files by name, made once on first use.
    private static let builtIn: [String: WebFile] = Dictionary(
        EmbeddedWebFiles.files.map { entry in
            (entry.name, WebFile(name: entry.name, bytes: entry.text.withUTF8Buffer { ByteBuffer(bytes: $0) }))
        },
        uniquingKeysWith: { first, _ in first })

    /// The file name a request target asks for, or nil when it names none: `/` is `index.html`, and `/NAME` is NAME when
    /// it is a plain file name (letters, digits, `.`, `_`, `-`; not starting with a dot), so no path can leave the folder.
    /// The query and fragment are ignored (the page's invite links carry a token there; it is never logged).
    static func fileName(forTarget target: String) -> String? {
        let path = target.prefix { $0 != "?" && $0 != "#" }
        if path == "/" { return "index.html" }
        guard path.hasPrefix("/") else { return nil }
        let name = path.dropFirst()
        guard let first = name.unicodeScalars.first, first != ".", name.count <= 128,
            name.unicodeScalars.allSatisfy({ isNameScalar($0) })
        else { return nil }
        return String(name)
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", ".", "_", "-": true
        default: false
        }
    }

    /// The file called `name`, or nil when there is none. A folder is read on `threadPool`, never on the event loop.
    func file(named name: String, threadPool: NIOThreadPool, eventLoop: any EventLoop) -> EventLoopFuture<WebFile?> {
        switch source {
        case .builtIn:
            return eventLoop.makeSucceededFuture(Self.builtIn[name])
        case .directory(let folder):
            return threadPool.runIfActive(eventLoop: eventLoop) { try Self.read(name, in: folder) }
        }
    }

    /// Reads a regular file of `folder` (a symbolic link to one counts); nil when there is no such file.
    private static func read(_ name: String, in folder: String) throws -> WebFile? {
        let path = (folder as NSString).appendingPathComponent(name)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: (path as NSString).resolvingSymlinksInPath),
            attributes[.type] as? FileAttributeType == .typeRegular
        else { return nil }
        if let size = attributes[.size] as? Int, size > maxFolderFileBytes {
            throw WebFileError.tooLarge(name: name, bytes: size)
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return WebFile(name: name, bytes: ByteBuffer(bytes: data))
    }
}

/// Why a file of the web folder could not be served (answered `500`, and logged).
enum WebFileError: Error, CustomStringConvertible {
    case tooLarge(name: String, bytes: Int)

    var description: String {
        switch self {
        case .tooLarge(let name, let bytes):
            "\(name) is \(bytes) bytes; files of the web folder may have at most \(WebFiles.maxFolderFileBytes)"
        }
    }
}
