/// An HDR-style log-linear histogram of non-negative integer values (nanoseconds here): 3 significant decimal digits,
/// 2,048 linear sub-buckets per power of two, values above `maxValue` clamped. Recording is O(1) and allocation-free.
struct LatencyHistogram: Sendable {
    /// 2^11 sub-buckets give a relative error below 1/1024 (better than 3 significant digits).
    private static let subBucketBits = 11
    private static let halfCount = 1 << (subBucketBits - 1)
    /// Largest value tracked exactly; larger ones count as this (2^37 ns ≈ 137 s).
    static let maxValue: Int64 = (1 << 37) - 1

    private var counts: [Int64]
    private(set) var totalCount: Int64 = 0
    private(set) var minRecorded: Int64 = .max
    private(set) var maxRecorded: Int64 = 0
    private var sum: Double = 0

    init() {
        counts = Array(repeating: 0, count: Self.index(of: Self.maxValue) + 1)
    }

    /// The counts slot of a value: bucket b (values needing 11+b bits) maps sub-bucket `v >> b` to `b * 1024 + sub`.
    private static func index(of value: Int64) -> Int {
        let v = UInt64(max(0, min(value, maxValue)))
        let bits = 64 - (v | UInt64((1 << subBucketBits) - 1)).leadingZeroBitCount
        let bucket = bits - subBucketBits
        return bucket * halfCount + Int(v >> UInt64(bucket))
    }

    /// The highest value that shares a slot with values in `index` (what HdrHistogram reports for percentiles).
    private static func highestEquivalent(_ index: Int) -> Int64 {
        let bucket = index < 2 * halfCount ? 0 : index / halfCount - 1
        let sub = Int64(index - bucket * halfCount)
        return ((sub + 1) << Int64(bucket)) - 1
    }

    mutating func record(_ value: Int64) {
        counts[Self.index(of: value)] += 1
        totalCount += 1
        sum += Double(value)
        minRecorded = min(minRecorded, value)
        maxRecorded = max(maxRecorded, value)
    }

    mutating func add(_ other: LatencyHistogram) {
        for (i, c) in other.counts.enumerated() where c != 0 { counts[i] += c }
        totalCount += other.totalCount
        sum += other.sum
        minRecorded = min(minRecorded, other.minRecorded)
        maxRecorded = max(maxRecorded, other.maxRecorded)
    }

    var mean: Double { totalCount == 0 ? 0 : sum / Double(totalCount) }

    /// The value at a percentile (0–100), as the highest equivalent value of its slot, capped by the largest recorded.
    func value(atPercentile percentile: Double) -> Int64 {
        guard totalCount > 0 else { return 0 }
        let wanted = max(1, Int64((percentile / 100 * Double(totalCount)).rounded(.up)))
        var seen: Int64 = 0
        for (i, c) in counts.enumerated() where c != 0 {
            seen += c
            if seen >= wanted { return min(Self.highestEquivalent(i), maxRecorded) }
        }
        return maxRecorded
    }
}
