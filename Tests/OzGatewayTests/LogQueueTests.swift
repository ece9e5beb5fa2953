import Foundation
import OzGateway
import OzProtocol
import Testing

/// `LogQueue` over a real pipe: appending never waits for the reader, every line is either written (in order) or
/// counted as dropped, and a pipe whose reader has gone stops the writing, not the process.
@Suite("the gateway's log queue")
struct LogQueueTests {
    /// A pipe of one page (F_SETPIPE_SZ, 1031), so that a little text fills it.
    static func smallPipe() -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        _ = fcntl(ends[0], 1031, 4096)
        return (ends[0], ends[1])
    }

    @Test(.timeLimit(.minutes(1)))
    func appendNeverWaitsAndEveryLineIsWrittenOrCounted() async throws {
        let (readEnd, writeEnd) = Self.smallPipe()
        let queue = LogQueue(writer: DescriptorWriter(descriptor: writeEnd), capacity: 8192) { "dropped \($0)\n" }
        // Nobody reads yet: the pipe fills, then the queue, then lines are dropped; none of this may hold up append.
        let total = 2000
        for n in 0..<total { queue.append("line \(n) " + String(repeating: "x", count: 80) + "\n") }

        let reader = Task.detached { () -> String in
            var text = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(readEnd, &buffer, buffer.count)
                if count <= 0 { break }
                text += buffer[0..<count]
            }
            return String(decoding: text, as: UTF8.self)
        }
        #expect(queue.flush(timeout: .seconds(30)))
        close(writeEnd)
        let text = await reader.value
        close(readEnd)

        var written: [Int] = []
        var dropped = 0
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.first == "line" { written.append(Int(words[1])!) }
            if words.first == "dropped" { dropped += Int(words[1])! }
        }
        #expect(written == written.sorted())
        #expect(dropped > 0)
        #expect(written.count + dropped == total)
    }

    @Test(.timeLimit(.minutes(1)))
    func aPipeWithoutReaderStopsTheWritingNotTheProcess() async throws {
        _ = signal(SIGPIPE, SIG_IGN)  // as every program does first (DescriptorWriter.prepareStandardStreams)
        let (readEnd, writeEnd) = Self.smallPipe()
        close(readEnd)
        let queue = LogQueue(writer: DescriptorWriter(descriptor: writeEnd)) { "dropped \($0)\n" }
        for n in 0..<100 { queue.append("line \(n)\n") }
        #expect(queue.flush(timeout: .seconds(30)))
        queue.append("after the failure\n")
        #expect(queue.flush(timeout: .seconds(30)))
        close(writeEnd)
    }
}
