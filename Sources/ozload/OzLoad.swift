import ArgumentParser

/// `ozload`: many simulated clients over real WebSockets, for tests and benchmarks.
@main
struct OzLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ozload", abstract: "Simulated ozchat clients against an ozgate.")

    func run() async throws {
        throw ValidationError("not built yet")
    }
}
