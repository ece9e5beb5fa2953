import CMalloc

/// glibc malloc settings for an interactive client, applied first thing in `main`, before any thread starts.
///
/// - One arena. Each thread that allocates (NIO's event loops, Swift concurrency's pool, the UI) would otherwise get an
///   arena of its own, and what one frees, the others do not reuse: a snapshot parsed on one thread and drawn on another
///   leaves freed memory resident in both.
/// - A fixed mapping threshold of 64 KiB: a buffer that large (a snapshot's frame text, a 10,000-entry array while it
///   grows) is mapped on its own and unmapped when freed. glibc's default threshold rises, up to 32 MB, each time such a
///   buffer is freed, after which they come from the heap and stay resident there after they are freed.
/// - The heap's top is returned to the system once 128 KiB of it are free (the default waits for 128 KiB too, but the
///   fixed mapping threshold above keeps glibc from raising it).
///
/// Measured with bench/clientbench.py (10,000-peer roster, 15,000 joins and leaves, 5,000 messages): peak RSS about
/// 3 MB lower, CPU unchanged within noise.
enum MallocTuning {
    static func apply() {
        mallopt(M_ARENA_MAX, 1)
        mallopt(M_MMAP_THRESHOLD, 64 * 1024)
        mallopt(M_TRIM_THRESHOLD, 128 * 1024)
    }
}
