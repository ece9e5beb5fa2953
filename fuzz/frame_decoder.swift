// libFuzzer target: the wire decoders (JSONParser, ServerFrame, ClientFrame) on arbitrary bytes.
// Checks: no crash; any JSON value or frame that is accepted re-encodes to text that decodes to the same value,
// and encoding that again gives the same bytes; a rejected input gets the gateway's error code for its kind of fault
// (BAD_JSON exactly when the JSON itself is bad) and a parse error points inside the input.

/// Stops the run with a message libFuzzer records next to the reproducer (preconditions lose it under -O).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    let json = Result { () throws(JSONParseError) in try JSONParser.parse(bytes) }
    if case .failure(let error) = json {
        require((0...bytes.count).contains(error.offset), "JSON error at byte \(error.offset) of \(bytes.count): \(error.message)")
    }
    for (decoder, result) in [
        ("ServerFrame", Result { () throws(FrameError) in _ = try ServerFrame(bytes: bytes) }),
        ("ClientFrame", Result { () throws(FrameError) in _ = try ClientFrame(bytes: bytes) }),
    ] {
        guard case .failure(let error) = result else { continue }
        let isBadJSON = error.code == .badJSON
        let jsonFailed = if case .failure = json { true } else { false }
        require(isBadJSON == jsonFailed, "\(decoder) answered \(error) but the JSON parser \(jsonFailed ? "failed" : "succeeded")")
        require([.badJSON, .badFrame, .unknownType].contains(error.code), "\(decoder) answered the code \(error.code)")
    }

    if case .success(let value) = json {
        let text = JSONWriter.string(value)
        let again: JSONValue
        do { again = try JSONParser.parse(text) } catch { fatalError("JSONWriter output does not parse: \(error) in \(text)") }
        require(again == value, "JSON round trip changed the value: \(value) became \(again)")
        require(Array(JSONWriter.string(again).utf8) == Array(text.utf8), "JSON re-encoding is not stable: \(text)")
    }

    if let frame = try? ServerFrame(bytes: bytes) {
        let text = frame.encoded
        let again: ServerFrame
        do { again = try ServerFrame(bytes: Array(text.utf8)) } catch { fatalError("re-encoded ServerFrame is rejected: \(error) in \(text)") }
        require(again == frame, "ServerFrame round trip changed the frame: \(frame) became \(again)")
        require(Array(again.encoded.utf8) == Array(text.utf8), "ServerFrame re-encoding is not stable: \(text)")
    }

    if let frame = try? ClientFrame(bytes: bytes) {
        let text = frame.encoded
        let again: ClientFrame
        do { again = try ClientFrame(bytes: Array(text.utf8)) } catch { fatalError("re-encoded ClientFrame is rejected: \(error) in \(text)") }
        require(again == frame, "ClientFrame round trip changed the frame: \(frame) became \(again)")
        require(Array(again.encoded.utf8) == Array(text.utf8), "ClientFrame re-encoding is not stable: \(text)")
    }
    return 0
}
