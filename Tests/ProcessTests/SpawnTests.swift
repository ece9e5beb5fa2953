import Foundation
import TestSupport
import Testing

/// `Spawn` gives a child nothing of the test process's but its three streams: a daemon the child leaves behind (a
/// postmaster) must not keep one of the tests' sockets or pipes open after the test closes it.
@Suite("TestSupport.Spawn")
struct SpawnTests {
    @Test func aDaemonLeftBehindDoesNotHoldTheTestsDescriptors() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        // The daemon outlives `run` by 5 s; if it inherited the write end, the read end would see no EOF until then.
        let result = Spawn.run(["/bin/sh", "-c", "sleep 5 &"])
        #expect(result.status == 0)
        close(ends[1])
        var poller = pollfd(fd: ends[0], events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, 2_000)
        #expect(ready == 1, "the write end is still open somewhere")
        var byte: UInt8 = 0
        #expect(read(ends[0], &byte, 1) == 0)
        close(ends[0])
    }
}
