import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A running ozgate's `--metrics-port`, as a scraper sees it.
struct MetricsEndpoint {
    let base: String

    /// The endpoint ozgate announced on its standard output (`metrics on http://HOST:PORT/metrics`).
    static func announced(by gateway: ChildProcess) async throws -> MetricsEndpoint {
        let line = try await gateway.waitForLine("metrics", timeout: .seconds(60)) { $0.hasPrefix("metrics on http://") }
        let url = line.dropFirst("metrics on ".count).trimmingCharacters(in: .whitespaces)
        return MetricsEndpoint(base: String(url.dropLast("/metrics".count)))
    }

    /// GETs `path`; the status and the body.
    func get(_ path: String) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: base + path)!)
        request.timeoutInterval = 30
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Every sample of `/metrics`, by its series (`name` or `name{labels}`).
    func samples() async throws -> [String: Double] {
        let (status, body) = try await get("/metrics")
        guard status == 200 else { return [:] }
        var samples: [String: Double] = [:]
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }
}
