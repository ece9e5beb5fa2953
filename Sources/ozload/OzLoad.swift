import ArgumentParser
import Foundation
import OzProtocol

/// `ozload`: many simulated clients over real WebSockets, for tests and benchmarks.
@main
struct OzLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ozload", abstract: "Simulated ozchat clients against an ozgate (loopback only).",
        subcommands: [Storm.self, Fanout.self, Idle.self, Churn.self, Population.self, Store.self])

    /// Makes writes to a closed standard stream errors, not deaths (`DescriptorWriter.prepareStandardStreams`), first.
    static func main() async {
        DescriptorWriter.prepareStandardStreams()
        await main(nil)
    }
}
