// libFuzzer target: VisibleText.sanitize on arbitrary text.
// Checks: no unsafe scalar survives; sanitising is idempotent; text without unsafe scalars is returned unchanged; the
// output is the input with each unsafe scalar replaced by its placeholder.

/// Stops the run with a message libFuzzer records next to the reproducer (preconditions lose it under -O).
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let once = VisibleText.sanitize(text)
    if let bad = once.unicodeScalars.first(where: VisibleText.isUnsafe) {
        fatalError("unsafe scalar U+\(String(bad.value, radix: 16)) survives in \(once.debugDescription)")
    }
    let twice = VisibleText.sanitize(once)
    require(Array(twice.unicodeScalars) == Array(once.unicodeScalars), "sanitising twice changed \(once.debugDescription)")
    if !text.unicodeScalars.contains(where: VisibleText.isUnsafe) {
        require(Array(once.unicodeScalars) == Array(text.unicodeScalars), "safe text was changed: \(text.debugDescription)")
    }
    var expected = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        if VisibleText.isUnsafe(scalar) {
            let placeholder = VisibleText.placeholder(for: scalar)
            require(placeholder.count > 1 && placeholder.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 }, "placeholder \(placeholder)")
            expected.append(contentsOf: placeholder.unicodeScalars)
        } else {
            expected.append(scalar)
        }
    }
    require(Array(once.unicodeScalars) == Array(expected), "sanitize(\(text.debugDescription)) gave \(once.debugDescription)")
    return 0
}
