import Foundation
import OzClient
import OzGateway
import OzProtocol
import OzSignals

/// `ozchat --plain`: events become lines on stdout (see `PlainFormatter`), lines on stdin become commands.
/// End of input, `/quit`, SIGINT, SIGTERM and a standard output nobody reads any more disconnect politely and return.
actor PlainSession {
    private let client: OzClient
    private let output = PlainOutput()
    private var credentials: Credentials
    private var formatter: PlainFormatter
    /// The current room's peers as the events told them (ourselves excluded), for `/msg` and `/whois`.
    private var roster = Roster()
    /// The connection's state as last reported.
    private var connection: ConnectionState?

    init(credentials: Credentials, configuration: OzClientConfiguration = .init()) {
        self.client = OzClient(configuration: configuration)
        self.credentials = credentials
        self.formatter = PlainFormatter(myNick: credentials.nickname)
    }

    func run() async {
        let events = Task { for await event in client.events { self.show(event) } }
        let signals = await QuitSignals.trap()
        await connect(credentials)
        let input = StandardInputLines()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await line in input.lines {
                    if await self.handle(line) == false { return }
                }
            }
            group.addTask { _ = await signals.next() }
            group.addTask { [output] in await output.closed() }
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

    private func connect(_ credentials: Credentials) async {
        do {
            try await client.connect(serverAddresses: credentials.servers, token: credentials.token, properties: credentials.properties)
        } catch {
            write(formatter.info("cannot connect: \(credentials.servers.joined(separator: " ")): \(error)"))
        }
    }

    private func show(_ event: OzClientEvent) {
        switch event {
        case .clientState(let info): roster.apply(change: info)
        case .roomLeft: roster = Roster()
        case .connectionState(let state): connection = state
        default: break
        }
        for line in formatter.lines(for: event) { write(line) }
    }

    private func write(_ line: String) {
        output.write(line)
    }

    /// Handles one input line through OzClient's `CommandInterpreter`; false means quit.
    private func handle(_ line: String) async -> Bool {
        let context = CommandContext(
            credentials: credentials, isGranted: formatter.myNumber != nil, myNumber: formatter.myNumber, roster: roster, frontEnd: .plain,
            isReconnecting: connection?.isOnItsWay == true)
        guard let outcome = CommandInterpreter.run(line: line, in: context) else { return true }
        credentials = outcome.credentials
        formatter.myNick = credentials.nickname
        for action in outcome.actions {
            switch action {
            case .send(let text, let recipient):
                do {
                    try await client.send(text, to: recipient)
                } catch {
                    write(formatter.info("not sent: \(error)"))
                }
            case .connect(let credentials): await connect(credentials)
            case .disconnect: await client.disconnect()
            case .notice(let text), .refusal(let text): write(formatter.info(text))
            case .clearLog, .openPrompt, .openWindow, .openSaved, .closeWindow, .showWindow, .listWindows: break
            case .quit: return false
            }
        }
        return true
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
