import Foundation

/// An `ozgate` started by ozload on a free loopback port, with a generated config of `lines` lines
/// (`load-0` … with tokens `load-token-0` …), so a run needs nothing set up beforehand; with `cluster`, a node of the
/// cluster on that PostgreSQL (every node gets the same lines and tokens).
final class GatewayProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let tokens: [String]
    let directory: URL

    /// Starts the gateway and waits (up to 30 s) for its `listening on ws://…` line. With `cpus` (a taskset list) it
    /// runs under `taskset -c CPUS`, which execs it in place (same process id).
    /// `store`: the spawned gateway's history, `off` (none), `memory` or `sqlite` (a file in its folder); ignored
    /// with `cluster` (the PostgreSQL URL and this node's id), whose history is PostgreSQL's.
    init(
        executable: String, lines: Int, pingInterval: Double = 20, pingTimeout: Double = 60, cpus: String? = nil, store: String = "off",
        cluster: (url: String, nodeID: String)? = nil
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ozload-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let tokens = (0..<max(1, lines)).map { "load-token-\($0)" }
        self.tokens = tokens
        var config = tokens.indices.map { "[[line]]\nname = \"load-\($0)\"\ntoken = \"\(tokens[$0])\"\n" }.joined(separator: "\n")
        switch cluster == nil ? store : "cluster" {
        case "cluster": break
        case "off": config += "\n[history]\nmessages_per_room = 0\n"
        case "memory": config += "\n[history]\nstore = \"memory\"\n"
        case "sqlite": config += "\n[history]\nstore = \"sqlite:\(directory.path)/history.sqlite\"\n"
        default: throw GatewayError("--gateway-store must be off, memory or sqlite, not \(store)")
        }
        let configURL = directory.appendingPathComponent("gate.toml")
        try config.write(to: configURL, atomically: true, encoding: .utf8)

        process.executableURL = URL(fileURLWithPath: cpus == nil ? executable : "/usr/bin/taskset")
        process.arguments =
            (cpus.map { ["-c", $0, executable] } ?? []) + [
                "--config", configURL.path, "--host", "127.0.0.1", "--port", "0", "--log-level", "warning",
                "--ping-interval", String(pingInterval), "--ping-timeout", String(pingTimeout), "--no-limits",
            ] + (cluster.map { ["--cluster", $0.url, "--node-id", $0.nodeID] } ?? [])
        let output = Pipe()
        process.standardOutput = output
        // Its warnings and errors go to a file in its folder, quoted when it fails to start.
        let errors = directory.appendingPathComponent("stderr.log")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()

        var text = ""
        var found: Int?
        let deadline = Date().addingTimeInterval(30)
        while found == nil, Date() < deadline, process.isRunning || !text.isEmpty {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
            if let range = text.range(of: "listening on ws://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if text[range.upperBound...].dropFirst(digits.count).first == "/" { found = Int(digits) }
            }
        }
        guard let found else {
            process.terminate()
            let complaint = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: directory)
            throw GatewayError("ozgate did not report a listening address: \(text)\(complaint)")
        }
        port = found
        // Keep draining its standard output so it never blocks on a full pipe.
        output.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
    }

    var pid: Int32 { process.processIdentifier }

    /// Resident set size in KiB (VmRSS), or nil if unreadable.
    func rssKiB() -> Int? { procStatusKiB(pid: pid, field: "VmRSS") }

    /// Stops the gateway with SIGTERM (graceful shutdown) and waits for it, killing it after 10 s.
    func stop() { Self.stop([self]) }

    /// Stops several gateways at once: SIGTERM to all, then waits for each (killing it after 10 s in all).
    static func stop(_ gateways: [GatewayProcess]) {
        for gateway in gateways where gateway.process.isRunning { gateway.process.terminate() }
        let deadline = Date().addingTimeInterval(10)
        for gateway in gateways {
            while gateway.process.isRunning, Date() < deadline { usleep(20_000) }
            if gateway.process.isRunning { kill(gateway.pid, SIGKILL) }
            try? FileManager.default.removeItem(at: gateway.directory)
        }
    }
}

/// A failure to start or reach the gateway.
struct GatewayError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A `kB` field of /proc/PID/status (VmRSS, VmHWM, …).
func procStatusKiB(pid: Int32, field: String) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
    }
    return nil
}

/// utime + stime of a process from /proc/PID/stat, in seconds.
func processCPUSeconds(_ pid: Int32) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = text.lastIndex(of: ")")
    else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}
