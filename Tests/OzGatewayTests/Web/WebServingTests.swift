import Foundation
import Logging
import OzProtocol
import TestSupport
import Testing

@testable import OzGateway

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The gateway's plain HTTP side (issue 16): the built-in web files, a `--web-dir` folder, and the 426 that every
/// other request keeps getting.
@Suite("Gateway: web files")
struct WebServingTests {
    /// The repository's Resources/web, which the built-in copy must equal.
    static let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../../../Resources/web").standardized

    /// One request, no cache and no redirects: the status, the headers and the body.
    static func request(
        _ port: Int, _ target: String, method: String = "GET", headers: [String: String] = [:]
    ) async throws -> (status: Int, headers: [String: String], body: Data) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(target)")!)
        request.httpMethod = method
        request.cachePolicy = .reloadIgnoringLocalCacheData
        request.timeoutInterval = 30
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        return (http.statusCode, fields, data)
    }

    @Test func theBuiltInFilesAreResourcesWebWithTheirTypesAndThePagesPolicy() async throws {
        try await TestGateway.with({ $0.web = .builtIn }) { gateway in
            for (target, file, type) in [
                ("/", "index.html", "text/html; charset=utf-8"), ("/?token=t&nick=Ann", "index.html", "text/html; charset=utf-8"),
                ("/OzWebClient.js", "OzWebClient.js", "text/javascript; charset=utf-8"),
            ] {
                let answer = try await Self.request(gateway.port, target)
                #expect(answer.status == 200, "\(target)")
                #expect(answer.headers["content-type"] == type, "\(target)")
                #expect(answer.body == (try Data(contentsOf: Self.resources.appending(path: file))), "\(target) is not Resources/web/\(file)")
                let policy = try #require(answer.headers["content-security-policy"])
                #expect(policy.contains("script-src 'self'") && policy.contains("default-src 'none'") && !policy.contains("unsafe-inline"))
                #expect(answer.headers["referrer-policy"] == "no-referrer")
                #expect(answer.headers["x-content-type-options"] == "nosniff")
            }
            // Every file of the folder is served under its name.
            for name in try FileManager.default.contentsOfDirectory(atPath: Self.resources.path) where !name.hasPrefix(".") {
                #expect(try await Self.request(gateway.port, "/" + name).status == 200, "\(name)")
            }
        }
    }

    @Test func headSendsNoBodyAndAMatchingETagIsNotModified() async throws {
        try await TestGateway.with({ $0.web = .builtIn }) { gateway in
            let full = try await Self.request(gateway.port, "/OzWebClient.js")
            let etag = try #require(full.headers["etag"])
            let head = try await Self.request(gateway.port, "/OzWebClient.js", method: "HEAD")
            #expect(head.status == 200 && head.body.isEmpty)
            #expect(head.headers["content-length"] == "\(full.body.count)")
            let again = try await Self.request(gateway.port, "/OzWebClient.js", headers: ["If-None-Match": etag])
            #expect(again.status == 304 && again.body.isEmpty)
            let stale = try await Self.request(gateway.port, "/OzWebClient.js", headers: ["If-None-Match": "\"other\""])
            #expect(stale.status == 200 && stale.body == full.body)
        }
    }

    @Test func otherMethodsOnAFileAre405AndOtherPathsKeep426() async throws {
        try await TestGateway.with({ $0.web = .builtIn }) { gateway in
            let post = try await Self.request(gateway.port, "/", method: "POST")
            #expect(post.status == 405)
            #expect(post.headers["allow"] == "GET, HEAD")
            for target in ["/nothing-here.js", "/metrics", "/web/index.html", "/.hidden"] {
                #expect(try await Self.request(gateway.port, target).status == 426, "\(target)")
            }
        }
    }

    @Test func withoutWebEveryPlainRequestIs426() async throws {
        try await TestGateway.with { gateway in
            for target in ["/", "/OzWebClient.js", "/index.html"] {
                let answer = try await Self.request(gateway.port, target)
                #expect(answer.status == 426, "\(target)")
            }
        }
    }

    @Test func aFolderIsReadOnEachRequestAndNothingOutsideItIsServed() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "ozgate-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("first".utf8).write(to: folder.appending(path: "index.html"))
        try Data("secret".utf8).write(to: folder.appending(path: ".hidden"))
        try FileManager.default.createDirectory(at: folder.appending(path: "sub"), withIntermediateDirectories: true)
        try Data(count: WebFiles.maxFolderFileBytes + 1).write(to: folder.appending(path: "huge.js"))
        let logs = CapturedLog()
        try await TestGateway.with({ $0.web = GatewayWeb(source: .directory(folder.path)) }, logs: logs) { gateway in
            #expect(try await Self.request(gateway.port, "/").body == Data("first".utf8))
            try Data("second".utf8).write(to: folder.appending(path: "index.html"))
            #expect(try await Self.request(gateway.port, "/index.html").body == Data("second".utf8))
            #expect(try await Self.request(gateway.port, "/OzWebClient.js").status == 426, "only the folder's files")
            #expect(try await Self.request(gateway.port, "/.hidden").status == 426)
            #expect(try await Self.request(gateway.port, "/sub").status == 426)
            #expect(try await Self.request(gateway.port, "/huge.js").status == 500)
            #expect(await logs.waitForLine(containing: "web file", "huge.js") != nil)
        }
    }

    @Test(
        arguments: [
            ("/", "index.html"), ("/?token=abc", "index.html"), ("/#x", "index.html"), ("/OzWebClient.js", "OzWebClient.js"),
            ("/chat.css?v=2", "chat.css"), ("/../etc/passwd", nil), ("/a/b.js", nil), ("/.env", nil), ("/%2e%2e", nil),
            ("//etc", nil), ("index.html", nil), ("*", nil), ("/a b", nil), ("/é.js", nil), ("", nil),
        ] as [(String, String?)])
    func aTargetNamesAPlainFileOrNothing(target: String, name: String?) {
        #expect(WebFiles.fileName(forTarget: target) == name)
    }

    /// An invite link carries a token in its query; the gateway logs the file, never the query, at every level.
    @Test func aQueryIsNeverLogged() async throws {
        let logs = CapturedLog()
        var logger = logs.logger
        logger.logLevel = .trace
        let gateway = Gateway(
            configuration: { () -> GatewayConfiguration in
                var configuration = GatewayConfiguration(port: 0, directory: TestGateway.directory)
                configuration.web = .builtIn
                return configuration
            }(), logger: logger)
        try await gateway.start()
        do {
            try await requestWithTokens(port: gateway.port)
        } catch {
            await gateway.shutdown()
            throw error
        }
        await gateway.shutdown()
        #expect(logs.lines("web").contains { $0.contains("file=index.html") }, "the requests were logged, without their query")
        #expect(logs.all.allSatisfy { !$0.contains("INVITE-SECRET") }, "\(logs.all)")
    }

    private func requestWithTokens(port: Int) async throws {
        _ = try await Self.request(port, "/?token=INVITE-SECRET-1&nick=Ann")
        _ = try await Self.request(port, "/nothing?token=INVITE-SECRET-2")
        let socket = try await TestSocket.connect(port: port, path: "/?token=INVITE-SECRET-3")
        try await socket.send(.connect(token: TestGateway.lobbyToken, properties: [:]))
        #expect(try await socket.nextFrame().grantedNumber != nil)
    }
}
