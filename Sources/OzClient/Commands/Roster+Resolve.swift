import OzProtocol

extension Roster {
    /// The number a `/msg` or `/whois` target names: a peer's number, `me` (our own number), or a nickname ignoring case.
    /// Throws a one-line hint (not yet sanitised) when no one or several peers match.
    public func resolve(_ target: String, me: String? = nil) throws(CommandError) -> String {
        if self[phoneNumber: target] != nil || target == me { return target }
        let matches = clients(nicknamed: target)
        switch matches.count {
        case 1: return matches[0].phoneNumber
        case 0: throw CommandError("no one called \(target) is here")
        default: throw CommandError("\(target) is ambiguous: \(matches.map(\.phoneNumber).joined(separator: ", ")); use the number")
        }
    }
}
