/// The text of a bracketed paste as it arrives from the terminal (`ESC[200~` seen, `ESC[201~` not yet), one input
/// character at a time: CR, LF and CR LF become "\n", tabs stay, other control characters are dropped.
///
/// Bounded twice, so that a paste cannot wedge the input: it keeps at most `limit` scalars (one more than that tells
/// the app it was cut; the rest is read and dropped), and a paste whose end marker never comes ends by itself once no
/// input has arrived for `idleTimeout` (terminals send a paste in one go).
struct PasteCollector {
    /// Most scalars kept; more than the app's own bound (`PastePolicy.maxPasteScalars`), which then refuses it.
    static let limit = 1 << 18
    /// How long a paste may pause before it counts as ended without its marker.
    static let idleTimeout: Duration = .milliseconds(500)

    private(set) var scalars = String.UnicodeScalarView()
    private(set) var count = 0
    /// When the latest input of the paste arrived.
    private(set) var lastInput: ContinuousClock.Instant
    private var afterCarriageReturn = false

    init(at now: ContinuousClock.Instant) {
        lastInput = now
    }

    /// Adds one input character (a code point from `get_wch`).
    mutating func add(_ value: UInt32, at now: ContinuousClock.Instant) {
        lastInput = now
        defer { afterCarriageReturn = value == 13 }
        switch value {
        case 10 where afterCarriageReturn: return
        case 10, 13: append("\n")
        case 9: append("\t")
        case 0..<0x20, 0x7F..<0xA0: return
        default: if let scalar = Unicode.Scalar(value) { append(scalar) }
        }
    }

    /// Notes input that belongs to the paste but adds no text (a key sequence inside it).
    mutating func touch(at now: ContinuousClock.Instant) {
        lastInput = now
    }

    private mutating func append(_ scalar: Unicode.Scalar) {
        guard count <= Self.limit else { return }
        scalars.append(scalar)
        count += 1
    }

    /// Whether the paste has gone quiet for longer than `idleTimeout` (its end marker lost).
    func isIdle(at now: ContinuousClock.Instant) -> Bool { now - lastInput > Self.idleTimeout }

    var text: String { String(scalars) }
}
