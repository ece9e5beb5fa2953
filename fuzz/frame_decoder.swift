// libFuzzer target: the wire decoders (JSONParser, ServerFrame, ClientFrame) on arbitrary bytes.
// Checks: no crash; any JSON value or frame that is accepted re-encodes to text that decodes to the same value,
// and encoding that again gives the same bytes.

/// Stops the run with a message libFuzzer records next to the reproducer (preconditions lose it under -O).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    if let value = try? JSONParser.parse(bytes) {
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
