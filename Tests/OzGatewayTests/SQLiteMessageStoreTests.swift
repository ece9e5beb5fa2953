import Foundation
import Testing

@testable import OzGateway

/// The SQLite store on a real file: what it keeps across reopening, and the clear errors for files it must not use.
@Suite("SQLite message store")
struct SQLiteMessageStoreTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "ozstore-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func record(_ seq: Int64, room: String = "lobby", ts: Int64 = 1_000) -> HistoryRecord {
        HistoryRecord(room: room, seq: seq, timestamp: ts, body: Array(#"{"id":"x-\#(seq)","text":"é \#(seq)"}"#.utf8))
    }

    @Test func keepsRecordsNumberingAndEpochAcrossReopening() throws {
        let path = try Self.folder() + "/sub/history.sqlite"
        let store = try SQLiteMessageStore(path: path)
        let epoch = store.epoch
        try store.append((1...5).map { Self.record($0) }, lastSeq: ["lobby": 7])
        try store.append([Self.record(1, room: "other")], lastSeq: ["other": 1])
        store.close()
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folderAttributes = try FileManager.default.attributesOfItem(atPath: (path as NSString).deletingLastPathComponent)
        #expect((folderAttributes[.posixPermissions] as? Int) == 0o700)

        let reopened = try SQLiteMessageStore(path: path)
        defer { reopened.close() }
        #expect(reopened.epoch == epoch)
        let lobby = try reopened.load(room: "lobby", newest: 3)
        #expect(lobby.records == (3...5).map { Self.record($0) })
        #expect(lobby.olderExist && lobby.lastSeq == 7 && lobby.floor == 0)
        let page = try reopened.page(room: "lobby", before: 3, limit: 10)
        #expect(page.records.map(\.seq) == [1, 2] && page.olderExist == false)
        #expect(Set(try reopened.rooms()) == ["lobby", "other"])
    }

    @Test func pruningByCountAndAgeRaisesTheFloor() throws {
        let store = try SQLiteMessageStore(path: try Self.folder() + "/h.sqlite")
        defer { store.close() }
        try store.append((1...20).map { Self.record($0, ts: $0 <= 4 ? 100 : 5_000) }, lastSeq: ["lobby": 20])
        #expect(try store.prune(room: "lobby", keepNewest: 18, olderThan: 1_000) == 4)
        #expect(try store.prune(room: "lobby", keepNewest: 10, olderThan: 1_000) == 10)
        #expect(try store.prune(room: "lobby", keepNewest: 10, olderThan: 1_000) == nil)
        let state = try store.load(room: "lobby", newest: 100)
        #expect(state.records.map(\.seq) == Array(11...20) && state.floor == 10 && state.lastSeq == 20)
    }

    @Test func aFileThatIsNotADatabaseIsAnErrorAndIsLeftAsItWas() throws {
        let path = try Self.folder() + "/h.sqlite"
        let garbage = Data(repeating: 0x5A, count: 8_192)
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect {
            try SQLiteMessageStore(path: path)
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("not a SQLite database")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test func aDamagedDatabaseIsAnError() throws {
        let path = try Self.folder() + "/h.sqlite"
        let store = try SQLiteMessageStore(path: path)
        try store.append((1...2_000).map { Self.record($0) }, lastSeq: ["lobby": 2_000])
        store.close()
        // Overwrite a page in the middle of the table's b-tree (not the header): the file still opens, the check fails.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: 4_096 * 3)
        try handle.write(contentsOf: Data(repeating: 0xFF, count: 4_096))
        try handle.close()
        #expect {
            try SQLiteMessageStore(path: path)
        } throws: { error in
            "\(error)".contains(path) && ("\(error)".contains("damaged") || "\(error)".contains("not a SQLite database"))
        }
    }

    @Test func aPathItCannotReadIsAnError() throws {
        let folder = try Self.folder()
        // A folder where the file should be: unreadable as a database for any user, root included.
        try FileManager.default.createDirectory(atPath: folder + "/h.sqlite", withIntermediateDirectories: true)
        #expect { try SQLiteMessageStore(path: folder + "/h.sqlite") } throws: { "\($0)".contains(folder + "/h.sqlite") }
        // A file without permission (root reads any file, so only as another user).
        if getuid() != 0 {
            let path = folder + "/locked.sqlite"
            SQLiteMessageStore.closeAfterCreating(path)
            chmod(path, 0)
            #expect { try SQLiteMessageStore(path: path) } throws: { "\($0)".contains("cannot read") }
        }
    }

    @Test func aSecondStoreOnTheSameFileIsRefusedAsLocked() throws {
        let path = try Self.folder() + "/h.sqlite"
        let first = try SQLiteMessageStore(path: path)
        defer { first.close() }
        #expect {
            try SQLiteMessageStore(path: path)
        } throws: { error in
            "\(error)".contains("locked")
        }
        // The first one is unharmed.
        try first.append([Self.record(1)], lastSeq: ["lobby": 1])
        #expect(try first.load(room: "lobby", newest: 5).records.count == 1)
    }
}

extension SQLiteMessageStore {
    /// Creates an empty store file and closes it.
    static func closeAfterCreating(_ path: String) {
        (try? SQLiteMessageStore(path: path))?.close()
    }
}
