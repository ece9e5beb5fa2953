import Foundation
import OzClient
import OzGateway
import OzProtocol
import OzSignals

/// `ozchat --plain`: events become lines on stdout (see `PlainFormatter`), lines on stdin become commands.
/// End of input, `/quit`, SIGINT and SIGTERM disconnect politely and return.
actor PlainSession {
    private let client: OzClient
    private var credentials: Credentials
    private var formatter: PlainFormatter

    init(credentials: Credentials, configuration: OzClientConfiguration = .init()) {
        self.client = OzClient(configuration: configuration)
        self.credentials = credentials
        self.formatter = PlainFormatter(myNick: credentials.nickname)
    }

    func run() async {
        let events = Task { for await event in client.events { self.show(event) } }
        let signals = await QuitSignals.trap()
        await connect()
        let input = StandardInputLines()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await line in input.lines {
                    if await self.handle(line) == false { return }
                }
            }
            group.addTask { _ = await signals.next() }
            await group.next()
            group.cancelAll()
        }
        await client.disconnect()
        // Give the gateway a moment to confirm, so the last state line is printed.
        try? await Task.sleep(for: .milliseconds(300))
        await client.shutdown()
        await events.value
        signals.release()
    }

    private func connect() async {
        do {
            try await client.connect(serverAddress: credentials.server, token: credentials.token, properties: credentials.properties)
        } catch {
            write(formatter.info("cannot connect: SERVER \"\(credentials.server)\": \(error)"))
        }
    }

    private func show(_ event: OzClientEvent) {
        for line in formatter.lines(for: event) { write(line) }
    }

    private func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Handles one input line; false means quit.
    private func handle(_ line: String) async -> Bool {
        let command: ChatCommand?
        do {
            command = try ChatCommand.parse(line)
        } catch {
            write(formatter.info(error.message))
            return true
        }
        guard let command else { return true }
        switch command {
        case .say(let text): await send(text, to: ClientFrame.room)
        case .msg(let target, let text):
            guard let number = await resolve(target) else { return true }
            await send(text, to: number)
        case .connect(let arguments?):
            credentials = credentials.applying(arguments)
            formatter.myNick = credentials.nickname
            await connect()
        case .connect(nil): write(formatter.info("usage: /connect SERVER TOKEN [--nick N] [--avatar URL] [--password P]"))
        case .disconnect: await client.disconnect()
        case .reconnect:
            if await !client.reconnect() { write(formatter.info("nothing to reconnect to; use /connect")) }
        case .nick(let nick):
            credentials.nickname = nick
            formatter.myNick = nick
            await connect()
        case .whois(let target):
            guard let number = await resolve(target), let info = await client.peers[phoneNumber: number] else { return true }
            write(formatter.info("\(info.phoneNumber) \(JSONWriter.string(.object(info.properties)))"))
        case .clear: break
        case .help: for help in ChatCommand.helpLines { write(formatter.info(help)) }
        case .quit: return false
        }
        return true
    }

    private func send(_ text: String, to recipient: String) async {
        do {
            try await client.send(text, to: recipient)
        } catch {
            write(formatter.info("not sent: \(error)"))
        }
    }

    /// A peer's number from a number or a nickname (case-insensitive); reports ambiguity or absence.
    private func resolve(_ target: String) async -> String? {
        do {
            return try await client.roster.resolve(target)
        } catch {
            write(formatter.info(error.message))
            return nil
        }
    }
}

/// Standard input as an async sequence of lines, read on a thread of its own.
final class StandardInputLines: Sendable {
    let lines: AsyncStream<String>

    init() {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        lines = stream
        let thread = Thread {
            while let line = readLine(strippingNewline: true) { continuation.yield(line) }
            continuation.finish()
        }
        thread.start()
    }
}
