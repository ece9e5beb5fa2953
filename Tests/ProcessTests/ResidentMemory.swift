import Foundation

/// A process's resident set size (VmRSS of /proc/PID/status) sampled over time, and the verdict on whether it stayed
/// flat.
struct ResidentMemory {
    /// One reading: seconds since sampling started, and VmRSS in KiB.
    struct Sample {
        var seconds: Double
        var kib: Int
    }

    private(set) var samples: [Sample] = []

    /// VmRSS of a live process in KiB; nil once it is gone.
    static func residentKiB(pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.dropFirst("VmRSS:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }

    /// Samples `pid` every `interval` until `isDone()` holds or the process is gone (non-blocking: `Task.sleep`).
    static func sample(pid: Int32, every interval: Duration, until isDone: () -> Bool) async -> ResidentMemory {
        var memory = ResidentMemory()
        let start = ContinuousClock.now
        while !isDone(), let kib = residentKiB(pid: pid) {
            let elapsed = ContinuousClock.now - start
            memory.samples.append(Sample(seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, kib: kib))
            try? await Task.sleep(for: interval)
        }
        return memory
    }

    /// The samples taken in the first `seconds` (the load's window), split into four quarters by time.
    func quarters(of seconds: Double) -> [[Int]] {
        (0..<4).map { quarter in
            let from = seconds * Double(quarter) / 4
            let to = seconds * Double(quarter + 1) / 4
            return samples.filter { $0.seconds >= from && $0.seconds < to }.map(\.kib)
        }
    }

    static func median(_ values: [Int]) -> Int? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The growth allowed from the second quarter's median to the last quarter's: 15 % or 8 MiB, whichever is larger.
    ///
    /// The first quarter is left out: it holds the warm-up (malloc arenas, NIO's pooled buffers, the room's tables
    /// growing to their working size), which is a step, not a leak. Medians of a quarter (≈ 15 samples) ignore the
    /// odd sample taken in the middle of a burst. A leak shows as growth in proportion to the work done between the
    /// two quarters (half the run: hundreds of connections and thousands of messages); the floor of 8 MiB keeps the
    /// allocator's noise on a small process from failing the test, and the 15 % keeps it meaningful on a large one.
    static func allowedGrowthKiB(from baseline: Int) -> Int {
        max(baseline * 15 / 100, 8 * 1024)
    }

    /// One line per sample: `t=…s rss=…MiB`.
    var series: String {
        samples.map { String(format: "t=%.0fs %.1fMiB", $0.seconds, Double($0.kib) / 1024) }.joined(separator: ", ")
    }
}
