import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelTesting
import ChatPanelSystem
import Foundation
import TasksService
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A full disk: the tasks service's state folder is a tiny tmpfs. Writes fail with a clear
/// RESOURCE_EXHAUSTED and leave nothing behind, reads go on, and once space is freed writes
/// work again and the database is intact. Needs the right to mount (root, as in CI); skipped
/// where mounting is not allowed.
@Suite(.timeLimit(.minutes(2)), .enabled(if: Mounts.canMount, "mounting a tmpfs needs root"))
struct DiskFullTests {
    @Test func writesFailCleanlyReadsGoOnAndWritesResumeOnceSpaceIsFreed() async throws {
        try await withTemporaryDirectory { directory in
            let state = "\(directory)/state"
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            try #require(Mounts.run("/bin/mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", state))
            defer { Mounts.run("/bin/umount", "-l", state) }

            try await withLiveServiceClient(TasksService.self, configuration: (), in: state) { _, client in
                let caller = RPCV1.Caller(managerID: 1, rights: [.tasks])
                func write(_ index: Int) async throws -> TasksV1.Note? {
                    var request = TasksV1.CreateNoteRequest()
                    request.clientID = 10
                    request.text = "note \(index) " + String(repeating: "ж", count: 1500)
                    return try await client.unary(
                        TasksV1.Tasks.createNote, request, options: RPCCallOptions(caller: caller, requestID: "note-\(index)")).note
                }
                func noteTexts() async throws -> [String] {
                    var texts: [String] = []
                    var token = ""
                    repeat {
                        var request = TasksV1.ListNotesRequest()
                        request.clientID = 10
                        request.pageSize = 50
                        request.pageToken = token
                        let page = try await client.unary(TasksV1.Tasks.listNotes, request, options: RPCCallOptions(caller: caller))
                        texts += page.notes.map { $0.text.split(separator: " ").prefix(2).joined(separator: " ") }
                        token = page.nextPageToken
                    } while !token.isEmpty
                    return texts
                }

                // Fill the disk.
                var acknowledged = 0
                var refusal: RPCError?
                for index in 0..<2000 {
                    do {
                        _ = try await write(index)
                        acknowledged += 1
                    } catch let error as RPCError {
                        refusal = error
                        break
                    }
                }
                let error = try #require(refusal, "512 KiB took \(acknowledged) notes without filling up")
                #expect(error.code == .resourceExhausted, "\(error)")
                #expect(error.message.contains("disk is full"), "\(error)")
                // Each commit adds the note's pages, its idempotency record and its change-feed
                // row (with the feed's sequence) to the WAL: a handful of 3 KB notes fit.
                #expect(acknowledged >= 5, "only \(acknowledged) notes fitted")

                // Reads go on and see exactly the acknowledged notes: the refused one wrote nothing.
                let texts = try await noteTexts()
                #expect(texts.count == acknowledged)
                #expect(!texts.contains("note \(acknowledged)"))
                // A retry while still full is refused the same way, and still writes nothing.
                await #expect(throws: RPCError.self) { _ = try await write(acknowledged) }
                #expect(try await noteTexts().count == acknowledged)

                // Space is freed: the refused write goes through with its request id, once.
                try #require(Mounts.run("/bin/mount", "-o", "remount,size=16m", state))
                let note = try #require(try await write(acknowledged))
                #expect(note.text.hasPrefix("note \(acknowledged) "))
                let replay = try #require(try await write(acknowledged))
                #expect(replay.noteID == note.noteID)
                #expect(try await noteTexts().count == acknowledged + 1)
            }
            #expect(try SQLiteStore.integrityCheck(path: "\(state)/tasks.sqlite") == ["ok"])
        }
    }
}

/// Mounting and unmounting with mount(8).
enum Mounts {
    static let canMount: Bool = {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("cp-mount-probe-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard run("/bin/mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", probe) else { return false }
        return run("/bin/umount", probe)
    }()

    @discardableResult
    static func run(_ arguments: String...) -> Bool {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("cp-mount-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer {
            try? FileManager.default.removeItem(atPath: log + ".out")
            try? FileManager.default.removeItem(atPath: log + ".err")
        }
        guard let process = try? ChildProcess.spawn(arguments[0], Array(arguments.dropFirst()), logPrefix: log) else { return false }
        return process.waitUntilExit() == .exited(0)
    }

}
