import Histogram

/// Latencies in nanoseconds, kept in an HdrHistogram (`hdrhistogram-swift`): 3 significant decimal digits, from 1 ns
/// to `maxValue` (larger ones are counted as `maxValue`, negative ones as 0). Recording is O(1) and allocation-free.
///
/// The fanout scenario stamps each message with the time it was due to be sent, not the time it went out, so a sender
/// that falls behind adds its lateness to the latency instead of hiding it (coordinated omission). That is exact per
/// message, where `recordCorrectedValue(_:expectedInterval:)` would back-fill values it can only estimate.
struct LatencyHistogram: Sendable {
    /// Two minutes: longer than any scenario's sending and draining together.
    static let maxValue: UInt64 = 120 * 1_000_000_000

    private(set) var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: maxValue, numberOfSignificantValueDigits: .three)

    mutating func record(_ nanoseconds: Int64) {
        histogram.record(min(UInt64(max(0, nanoseconds)), Self.maxValue))
    }

    mutating func add(_ other: LatencyHistogram) {
        histogram.add(other.histogram)
    }

    var totalCount: UInt64 { histogram.totalCount }
    var maxRecorded: UInt64 { histogram.maxRecorded }
    var mean: Double { histogram.mean }

    /// The value at a percentile (0–100): the highest value equivalent to it, capped by the largest recorded.
    func value(atPercentile percentile: Double) -> UInt64 { histogram.valueAtPercentile(percentile) }
}
