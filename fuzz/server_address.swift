// libFuzzer target: ServerAddress(parsing:) on arbitrary text.
// Checks: no crash; an accepted address's URL parses again to the same scheme, host, port and path; the host is the
// one written (ASCII-lowercased: non-ASCII names must be given in punycode); the checked memberwise initializer
// accepts the parsed parts and gives the same address.

/// Stops the run with a message libFuzzer records next to the reproducer (preconditions lose it under -O).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// ASCII-only lowercasing, so the check does not share the parser's Unicode case mapping.
func asciiLowercased(_ text: String) -> [UInt8] {
    text.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let address: ServerAddress
    do { address = try ServerAddress(parsing: text) } catch {
        _ = error.description  // every error must be describable
        return 0
    }
    let url = address.url
    let again: ServerAddress
    do { again = try ServerAddress(parsing: url) } catch { fatalError("the URL \(url) of an accepted address is rejected: \(error)") }
    require(again.scheme == address.scheme, "scheme changed: \(url) -> \(again.url)")
    require(again.host == address.host, "host changed: \(url) -> \(again.url)")
    require(again.port == address.port, "port changed: \(url) -> \(again.url)")
    require(again.path == address.path, "path changed: \(url) -> \(again.url)")
    require(url.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "the URL \(url) is not printable ASCII")
    let built: ServerAddress
    do {
        built = try ServerAddress(scheme: address.scheme, host: address.host, port: address.port, path: address.path)
    } catch { fatalError("the parts of \(url) are rejected by init(scheme:host:port:path:): \(error)") }
    require(built == address, "init(scheme:host:port:path:) gave \(built.url) for \(url)")
    let written = asciiLowercased(text)
    let host = Array(address.host.utf8)
    require(
        written.indices.contains { written[$0...].starts(with: host) },
        "the host \(address.host) does not appear in the input \(text.debugDescription)")
    return 0
}
