import NIOConcurrencyHelpers

/// Draws fresh random 5-character numbers (like `Qdb3W`) unique among those online and distinct from every extension.
final class NumberRegistry: Sendable {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    private let inUse = NIOLockedValueBox(Set<String>())
    private let reserved: Set<String>

    /// `reserved` are the extension numbers, which a drawn number must never equal.
    init(reserved: Set<String>) {
        self.reserved = reserved
    }

    /// A number no one online has; held until `release`.
    func draw() -> String {
        inUse.withLockedValue { used in
            while true {
                let candidate = String((0..<5).map { _ in Self.alphabet.randomElement()! })
                if !used.contains(candidate), !reserved.contains(candidate) {
                    used.insert(candidate)
                    return candidate
                }
            }
        }
    }

    /// Gives a number back once its session has left the room.
    func release(_ number: String) {
        _ = inUse.withLockedValue { $0.remove(number) }
    }
}
