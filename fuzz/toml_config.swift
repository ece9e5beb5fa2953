// libFuzzer target: the TOML subset parser (Sources/OzProtocol/Config/) and the gateway config file loader
// (Sources/OzGateway/Config/) on arbitrary bytes, written to a file and loaded as ozgate loads its --config.
// Checks: no crash; the loader rejects invalid UTF-8 and otherwise answers exactly as parsing the text does; every syntax error points at a line of the text and a column within that line (or just past it);
// every config error carries a line, except "no [[line]] tables" for a document that has none; an accepted config
// keeps the schema's promises (at least one line, unique names and numbers, extensions name defined lines).

import Foundation

/// Stops the run with a message libFuzzer records next to the reproducer (preconditions lose it under -O).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// Where each input is written for `GatewayConfigFile.load(path:)`; one file per process, rewritten every run, in memory
/// (/dev/shm) where there is such a place: on disk the writes cost three quarters of the run time.
let configPath = (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NSTemporaryDirectory()) + "/ozchat-fuzz-\(getpid()).toml"

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>)
    -> Int32
{
    atexit { unlink(configPath) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let text = String(decoding: bytes, as: UTF8.self)
    let isUTF8 = String(validating: bytes, as: UTF8.self) != nil
    // The lines as the parser counts them: split on LF, in Unicode scalars (a CR before the LF stays, so +1 is slack).
    let lineLengths = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map(\.count)

    var document: TOMLDocument?
    do {
        document = try TOMLDocument.parse(text)
    } catch {
        require((1...lineLengths.count).contains(error.line), "TOML error on line \(error.line) of \(lineLengths.count): \(error.message)")
        if let column = error.column {
            let length = lineLengths[error.line - 1]
            require((1...length + 1).contains(column), "TOML error at column \(column) of a \(length)-scalar line: \(error.message)")
        }
        require(!error.message.isEmpty, "TOML error without a message")
    }
    if let document {
        for table in [document.root] + document.tables {
            require((1...lineLengths.count).contains(table.line), "table \(table.displayName) on line \(table.line)")
            for entry in table.entries {
                require((1...lineLengths.count).contains(entry.line), "key \(entry.key) on line \(entry.line)")
            }
            require(Set(table.entries.map(\.key)).count == table.entries.count, "duplicate keys accepted in \(table.displayName)")
        }
    }

    do { try Data(bytes).write(to: URL(fileURLWithPath: configPath)) } catch { fatalError("cannot write \(configPath): \(error)") }
    let loaded = Result { () throws(ConfigError) in try GatewayConfigFile.load(path: configPath) }
    let parsed = Result { () throws(ConfigError) in try GatewayConfigFile.parse(text, file: configPath) }
    if isUTF8 {
        require(loaded == parsed, "load(path:) and parse(_:file:) disagree: \(loaded) vs \(parsed)")
    } else {
        require(loaded == .failure(ConfigError(file: configPath, line: nil, message: "the file is not valid UTF-8")), "invalid UTF-8 gave \(loaded)")
    }

    do {
        let config = try GatewayConfigFile.parse(text, file: "fuzz.toml")
        require(document != nil, "the config was accepted but its TOML was not")
        require(!config.lines.isEmpty, "a config without lines was accepted")
        require(Set(config.lines.map(\.name)).count == config.lines.count, "duplicate line names accepted")
        require(Set(config.extensions.map(\.number)).count == config.extensions.count, "duplicate extension numbers accepted")
        let names = Set(config.lines.map(\.name))
        for entry in config.extensions {
            require(names.contains(entry.lineName), "extension \(entry.number) names the undefined line \(entry.lineName)")
        }
    } catch {
        require(!error.message.isEmpty, "config error without a message")
        require(error.file == "fuzz.toml", "config error names \(error.file)")
        if let line = error.line {
            require((1...lineLengths.count).contains(line), "config error on line \(line) of \(lineLengths.count): \(error.message)")
        } else {
            let hasLines = document?.tables.contains { $0.name == "line" && $0.kind == .arrayElement } ?? true
            require(document != nil && !hasLines, "config error without a line: \(error.message)")
        }
    }
    return 0
}
