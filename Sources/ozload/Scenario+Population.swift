import ArgumentParser
import Foundation
import NIOCore
import OzProtocol

/// `ozload population`: connects N quiet members to one room, then follows commands from standard input, one a line:
/// `join K` (K more members), `leave K` (the K oldest leave with `disconnect`), `say K` (K room messages from members in
/// turn, the last one, marked `last`, after all others are delivered), `status`, `quit`. Each command is answered with one line on standard output
/// (`joined …`, `left …`, `said …`, `online …`); `ready N` comes first. The client benchmark drives ozchat with this.
struct Population: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A scripted room population driven from standard input.")

    @OptionGroup var gateway: GatewayOptions
    @Option(help: "Members to connect at start.") var clients = 10_000
    @Option(help: "Connections opened per batch.") var batch = 500
    @Option(help: "Seconds to wait for any one command to complete.") var timeout = 300.0

    func run() async throws {
        let (context, tokens, processes) = try gateway.open()
        let token = tokens[0]
        var everyone = await context.connectInBatches(0..<clients, tokens: [token], tracking: .minimal, batch: batch)
        var online = everyone
        // Nobody reading the answers any more ends the run as `quit` does.
        var answering = reply("ready \(context.tally.granted.value) port=\(context.ports[0])")
        var speaker = 0
        while answering, let line = await Self.nextLine() {
            let words = line.split(separator: " ")
            let count = words.count > 1 ? Int(words[1]) ?? 0 : 0
            switch words.first {
            case "join":
                let added = await context.connectInBatches(
                    everyone.count..<(everyone.count + count), tokens: [token], tracking: .minimal, batch: batch, timeout: timeout)
                everyone += added
                online += added
                answering = reply("joined \(count) online=\(online.count) granted=\(context.tally.granted.value)")
            case "leave":
                let leaving = online.prefix(count)
                online.removeFirst(leaving.count)
                let closedBefore = context.tally.closed.value
                for client in leaving { client.eventLoop.execute { client.leave(graceful: true) } }
                _ = await context.wait(upTo: timeout, step: 0.005) { context.tally.closed.value - closedBefore >= leaving.count }
                answering = reply("left \(leaving.count) online=\(online.count)")
            case "say":
                // All but the last go out at once; the last is sent once they are all delivered, so it is also the
                // last in the room's order and a watcher can wait for its text ("population message N last").
                let before = context.tally.deliveries.value
                let members = online
                var done = true
                for n in 0..<count where !members.isEmpty {
                    if n == count - 1 {
                        let expected = (count - 1) * members.count
                        done = await context.wait(upTo: timeout, step: 0.005) { context.tally.deliveries.value - before >= expected }
                    }
                    let client = members[speaker % members.count]
                    speaker += 1
                    let text = n == count - 1 ? "population message \(n) last" : "population message \(n)"
                    client.eventLoop.execute { client.say(text) }
                }
                let expected = count * members.count
                done = await context.wait(upTo: timeout, step: 0.005) { context.tally.deliveries.value - before >= expected } && done
                answering = reply("said \(count) delivered=\(context.tally.deliveries.value - before) complete=\(done)")
            case "status":
                answering = reply("online \(online.count) granted=\(context.tally.granted.value) closed=\(context.tally.closed.value)")
            case "quit":
                break
            default:
                answering = reply("error unknown command: \(line)")
                continue
            }
            if words.first == "quit" { break }
        }
        await context.closeAll(everyone)
        GatewayProcess.stop(processes)
        await context.shutdown()
    }

    /// Answers on standard output; false when that failed (the reader has gone).
    private func reply(_ text: String) -> Bool {
        (try? DescriptorWriter.standardOutput.write(text + "\n")) != nil
    }

    /// The next line of standard input, read off the cooperative pool; nil at end of input.
    private static func nextLine() async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: readLine()) }
        }
    }
}
