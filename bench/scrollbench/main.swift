// scrollbench: what scrolling the UI's log costs, at the bottom of a full scrollback and at its top.
//
// Drives the real reducer (`AppState.reduce`) and renderer (`Renderer.render`, with the runtime's wrap cache) into the
// in-memory terminal: fills the log to the most it holds with messages of mixed lengths (many wrap), then holds PgUp
// to the top and PgDn back to the bottom, one frame per keypress as the UI draws it, timing each keypress (the reducer)
// and each frame (the renderer) in this thread's CPU time (CLOCK_THREAD_CPUTIME_ID). Prints a summary, or one JSON
// object with --json. Not a test: figures, for bench/run.
//
//   scrollbench [--entries N] [--rows R] [--columns C] [--quick] [--json]
//
// --quick skips the holds (Home jumps to the top): for code where each keypress is too slow to hold PgUp through.
import Foundation
import OzClient
import OzProtocol
import OzTUI

#if canImport(Glibc)
    import Glibc
#endif

struct Options {
    var entries = 12_500  // a 10,000-line log holds up to 12,500 before it drops the oldest quarter
    var rows = 40
    var columns = 120
    var quick = false
    var json = false

    init(_ arguments: [String]) {
        var index = 0
        func value() -> Int {
            index += 1
            guard index < arguments.count, let number = Int(arguments[index]) else { fatalError("\(arguments[index - 1]) needs a number") }
            return number
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--entries": entries = value()
            case "--rows": rows = value()
            case "--columns": columns = value()
            case "--quick": quick = true
            case "--json": json = true
            default: fatalError("unknown argument \(arguments[index])")
            }
            index += 1
        }
    }
}

/// This thread's CPU time in seconds.
func cpuSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Costs in milliseconds of CPU.
struct Costs {
    var keys: [Double] = []
    var frames: [Double] = []

    mutating func add(_ other: Costs) {
        keys += other.keys
        frames += other.frames
    }

    static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
    static func max(_ values: [Double]) -> Double { values.max() ?? 0 }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let size = TerminalSize(rows: options.rows, columns: options.columns)
var state = AppState(credentials: Credentials(server: "bench", token: "t", nickname: "Me"), size: size)
_ = state.reduce(.client(.connectionState(.accessGranted(phoneNumber: "ME001", room: "lobby"))))
for n in 0..<8 {
    let peer = ClientInfo(phoneNumber: "P000\(n)", status: .online, properties: ["Nickname": .string("peer\(n)")])
    _ = state.reduce(.client(.clientState(peer)))
}
// Messages of 1 to about 6 rows at this width: a fixed pseudo-random mix of short lines and paragraphs.
var seed: UInt64 = 12_345
@MainActor func random(_ bound: Int) -> Int {
    seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int((seed >> 33) % UInt64(bound))
}
let words = ["the", "gateway", "roster", "message", "scroll", "ozchat", "terminal", "wraps", "a", "line", "of", "text", "你好", "✓"]
while state.log.count < options.entries {
    let length = random(4) == 0 ? 20 + random(120) : 2 + random(12)
    let text = (0..<length).map { _ in words[random(words.count)] }.joined(separator: " ")
    let message = ChatMessage(id: "m\(state.log.count)", from: "P000\(random(8))", to: "*", text: text, ts: "")
    _ = state.reduce(.client(.message(message)))
}

let terminal = InMemoryTerminal(size: size)
let cache = LogLineCache()
Renderer.render(state, into: terminal, cache: cache)

/// One keypress and its frame, timed; whether the screen changed.
@MainActor func press(_ key: Key, into costs: inout Costs) -> Bool {
    let before = terminal.text
    let start = cpuSeconds()
    _ = state.reduce(.key(key))
    let reduced = cpuSeconds()
    Renderer.render(state, into: terminal, cache: cache)
    let drawn = cpuSeconds()
    costs.keys.append((reduced - start) * 1000)
    costs.frames.append((drawn - reduced) * 1000)
    return terminal.text != before
}

/// Presses `key` until the screen stops changing (at most `limit` times).
@MainActor func hold(_ key: Key, limit: Int = 1_000_000) -> Costs {
    var costs = Costs()
    var presses = 0
    while presses < limit, press(key, into: &costs) { presses += 1 }
    return costs
}

let wall = Date()
var bottom = Costs()
for _ in 0..<10 {  // at the bottom: one page up and back down
    _ = press(.pageUp, into: &bottom)
    _ = press(.pageDown, into: &bottom)
}
var holding = Costs()
var top = Costs()
if options.quick {
    var ignored = Costs()
    _ = press(.home, into: &ignored)
} else {
    holding.add(hold(.pageUp))
}
for _ in 0..<10 {  // at the top: one page down and back up
    _ = press(.pageDown, into: &top)
    _ = press(.pageUp, into: &top)
}
let presses = holding.keys.count
if !options.quick { holding.add(hold(.pageDown)) }
let mean = { (values: [Double]) in Costs.mean(values) }
let result: [String: Any] = [
    "entries": state.log.count,
    "rows": options.rows,
    "columns": options.columns,
    "pageups_to_top": presses,
    "key_bottom_ms": mean(bottom.keys),
    "frame_bottom_ms": mean(bottom.frames),
    "key_top_ms": mean(top.keys),
    "frame_top_ms": mean(top.frames),
    "key_hold_mean_ms": mean(holding.keys),
    "frame_hold_mean_ms": mean(holding.frames),
    "key_hold_max_ms": Costs.max(holding.keys),
    "frame_hold_max_ms": Costs.max(holding.frames),
    "wall_s": Date().timeIntervalSince(wall),
]
if options.json {
    let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
} else {
    func f(_ key: String) -> String { String(format: "%.3f", result[key] as? Double ?? 0) }
    print("scrollback of \(state.log.count) entries at \(options.columns)x\(options.rows), \(presses) PgUp to the top (CPU ms)")
    print("  bottom: keypress \(f("key_bottom_ms")), frame \(f("frame_bottom_ms"))")
    print("  top:    keypress \(f("key_top_ms")), frame \(f("frame_top_ms"))")
    if !options.quick {
        print(
            "  holding PgUp/PgDn: keypress mean \(f("key_hold_mean_ms")) max \(f("key_hold_max_ms")), frame mean \(f("frame_hold_mean_ms")) max \(f("frame_hold_max_ms"))"
        )
    }
}
