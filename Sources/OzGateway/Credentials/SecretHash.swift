import Crypto
import Foundation
import _CryptoExtras

/// A stored secret: only its hash is kept. Tokens (high-entropy, checked on every connect) use SHA-256;
/// extension passwords (chosen by people) use scrypt, a memory-hard password hash. Both compare in constant time.
public enum SecretHash: Sendable, Equatable, CustomStringConvertible {
    /// `sha256$HEX`: SHA-256 of the secret's UTF-8.
    case sha256(digest: [UInt8])
    /// `scrypt$ln=L,r=R,p=P$SALT$HASH` (base64): scrypt with N = 2^L.
    case scrypt(logN: Int, r: Int, p: Int, salt: [UInt8], hash: [UInt8])

    /// scrypt cost used for new password hashes: N = 2^14, r = 8, p = 1 (16 MiB, tens of milliseconds).
    public static let defaultScryptLogN = 14

    /// Why a hash string could not be used.
    public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Hashes a token (SHA-256).
    public static func token(_ secret: String) -> SecretHash {
        .sha256(digest: Array(SHA256.hash(data: Array(secret.utf8))))
    }

    /// Hashes a password with scrypt and a fresh random salt.
    public static func password(_ secret: String, logN: Int = defaultScryptLogN) -> SecretHash {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let hash = scryptHash(Array(secret.utf8), salt: salt, logN: logN, r: 8, p: 1)
        return .scrypt(logN: logN, r: 8, p: 1, salt: salt, hash: hash)
    }

    private static func scryptHash(_ secret: [UInt8], salt: [UInt8], logN: Int, r: Int, p: Int) -> [UInt8] {
        // Parameters were validated when parsed or chosen here, so derivation cannot fail for a valid configuration.
        let key = try? KDF.Scrypt.deriveKey(from: secret, salt: salt, outputByteCount: 32, rounds: 1 << logN, blockSize: r, parallelism: p)
        return key.map { $0.withUnsafeBytes { Array($0) } } ?? []
    }

    /// Whether `secret` hashes to this value; the final comparison takes the same time wherever the bytes differ.
    public func verify(_ secret: String) -> Bool {
        switch self {
        case .sha256(let digest):
            return constantTimeEqual(Array(SHA256.hash(data: Array(secret.utf8))), digest)
        case .scrypt(let logN, let r, let p, let salt, let hash):
            let candidate = Self.scryptHash(Array(secret.utf8), salt: salt, logN: logN, r: r, p: p)
            return !candidate.isEmpty && constantTimeEqual(candidate, hash)
        }
    }

    /// Whether checking this hash is expensive enough to run off the network threads.
    public var isSlow: Bool {
        if case .scrypt = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .sha256(let digest):
            return "sha256$" + digest.map { String(format: "%02x", $0) }.joined()
        case .scrypt(let logN, let r, let p, let salt, let hash):
            return "scrypt$ln=\(logN),r=\(r),p=\(p)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
        }
    }

    /// Parses the text `ozgate hash-secret` prints.
    public init(parsing text: String) throws(FormatError) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "sha256":
            guard parts.count == 2, parts[1].count == 64, let digest = Self.hexBytes(parts[1]) else {
                throw FormatError(description: "a sha256 hash is written sha256$ followed by 64 hex digits")
            }
            self = .sha256(digest: digest)
        case "scrypt":
            guard parts.count == 4, let params = Self.scryptParameters(parts[1]),
                let salt = Data(base64Encoded: parts[2]), let hash = Data(base64Encoded: parts[3]), salt.count >= 8, hash.count >= 16
            else {
                throw FormatError(description: "a scrypt hash is written scrypt$ln=L,r=R,p=P$SALT$HASH (base64)")
            }
            self = .scrypt(logN: params.logN, r: params.r, p: params.p, salt: Array(salt), hash: Array(hash))
        default:
            throw FormatError(description: "unknown hash format; expected sha256$… or scrypt$… as printed by `ozgate hash-secret`")
        }
    }

    private static func scryptParameters(_ text: String) -> (logN: Int, r: Int, p: Int)? {
        var values: [String: Int] = [:]
        for field in text.split(separator: ",") {
            let pair = field.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let value = Int(pair[1]) else { return nil }
            values[String(pair[0])] = value
        }
        // Bounds keep a hostile config from asking for absurd memory or time.
        guard values.count == 3, let logN = values["ln"], let r = values["r"], let p = values["p"],
            (10...20).contains(logN), (1...32).contains(r), (1...16).contains(p)
        else { return nil }
        return (logN, r, p)
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let hi = hexValue(chars[i]), let lo = hexValue(chars[i + 1]) else { return nil }
            bytes.append(hi << 4 | lo)
        }
        return bytes
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Compares two byte arrays in time that depends only on their lengths.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<a.count { difference |= a[i] ^ b[i] }
    return difference == 0
}
