/// What a gateway serves over plain HTTP on its WebSocket port (issue 16): OzWebClient.js and the web chatroom, from
/// the copy built into the binary or, while working on them, from a folder. Off when the configuration has none.
public struct GatewayWeb: Sendable, Equatable {
    /// Where the files come from.
    public enum Source: Sendable, Equatable {
        /// The files of Resources/web as they were when the binary was built.
        case builtIn
        /// The files in this folder, read on each request, so an edit shows on the next reload (`ozgate --web-dir`).
        case directory(String)
    }

    /// Where the files come from.
    public var source: Source

    /// Serves `source`.
    public init(source: Source) {
        self.source = source
    }

    /// The copy built into the binary.
    public static let builtIn = GatewayWeb(source: .builtIn)
}
