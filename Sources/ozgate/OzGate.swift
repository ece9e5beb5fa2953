import ArgumentParser
import Foundation
import Logging
import OzGateway
import OzProtocol

/// `ozgate`: the OzWire gateway. Arguments and wiring only; the server is `OzGateway.Gateway`.
@main
struct OzGate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ozgate",
        abstract: "The ozchat gateway: serves chatrooms (lines) over WebSocket, speaking OzWire v1 (PROTOCOL.md).",
        subcommands: [Serve.self, HashSecret.self],
        defaultSubcommand: Serve.self
    )

    /// Makes writes to a closed standard stream errors, not deaths (`DescriptorWriter.prepareStandardStreams`), first.
    static func main() async {
        DescriptorWriter.prepareStandardStreams()
        await main(nil)
    }
}
