import Foundation
import NIOCore

/// The first occurrence of `needle` in `count` bytes at `base`, by memchr on its first byte and memcmp.
private func memmem(_ base: UnsafeRawPointer, _ count: Int, _ needle: [UInt8], _ needleCount: Int) -> UnsafeRawPointer? {
    guard needleCount > 0, count >= needleCount else { return nil }
    return needle.withUnsafeBytes { n -> UnsafeRawPointer? in
        var offset = 0
        let last = count - needleCount
        while offset <= last {
            guard let hit = memchr(base + offset, Int32(needle[0]), last - offset + 1) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + at, n.baseAddress!, needleCount) == 0 { return UnsafeRawPointer(hit) }
            offset = at + 1
        }
        return nil
    }
}

/// Cheap byte-level reads of the gateway's frames (its key order is fixed), so thousands of simulated clients cost
/// little CPU next to the gateway they measure. Exact parsing is used only where correctness is checked (churn).
enum FrameScan {
    static let grantedPrefix = Array(#"{"type":"connectionState","state":"ACCESS_GRANTED""#.utf8)
    static let presencePrefix = Array(#"{"type":"clientStateChanged""#.utf8)
    static let messagePrefix = Array(#"{"type":"message""#.utf8)
    static let historyPrefix = Array(#"{"type":"history""#.utf8)
    static let fromKey = Array(#""from":""#.utf8)
    static let online = Array(#""status":"ONLINE""#.utf8)
    static let offline = Array(#""status":"OFFLINE""#.utf8)
    static let phoneKey = Array(#""phoneNumber":""#.utf8)
    static let stampKey = Array(#""text":"t="#.utf8)
    static let idKey = Array(#""id":""#.utf8)
    /// What follows the stamp in churn's texts (`t=… churn N`): N, ozload's own number of the message.
    static let churnKey = Array(" churn ".utf8)
    static let reasonKey = Array(#""reason":""#.utf8)
    static let deniedPrefix = Array(#"{"type":"connectionState","state":"ACCESS_DENIED""#.utf8)

    static func hasPrefix(_ buffer: ByteBuffer, _ prefix: [UInt8]) -> Bool {
        buffer.readableBytesView.starts(with: prefix)
    }

    /// How many times `needle` occurs in the buffer.
    static func count(_ needle: [UInt8], in buffer: ByteBuffer) -> Int {
        buffer.withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress else { return 0 }
            var n = 0
            var offset = 0
            while offset < raw.count, let hit = memmem(base + offset, raw.count - offset, needle, needle.count) {
                n += 1
                offset = base.distance(to: UnsafeRawPointer(hit)) + needle.count
            }
            return n
        }
    }

    /// The bytes after the first `key` up to the next `"` (a JSON string value without escapes), if any.
    static func string(after key: [UInt8], in buffer: ByteBuffer) -> String? {
        buffer.withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress, let hit = memmem(base, raw.count, key, key.count) else { return nil }
            let start = base.distance(to: UnsafeRawPointer(hit)) + key.count
            guard let end = raw[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
            return String(decoding: raw[start..<end], as: UTF8.self)
        }
    }

    /// The decimal number after the first `key`, if any.
    static func number(after key: [UInt8], in buffer: ByteBuffer) -> Int64? {
        buffer.withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress, let hit = memmem(base, raw.count, key, key.count) else { return nil }
            var i = base.distance(to: UnsafeRawPointer(hit)) + key.count
            var value: Int64 = 0
            var digits = 0
            while i < raw.count, raw[i] >= 48, raw[i] <= 57 {
                value = value * 10 + Int64(raw[i] - 48)
                i += 1
                digits += 1
            }
            return digits > 0 ? value : nil
        }
    }
}
