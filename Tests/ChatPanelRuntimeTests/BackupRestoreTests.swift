import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelTesting
import ChatPanelSystem
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The restore drill with the real binaries: notes written through `chatpaneld tasks`, a
/// backup taken with `chatpanelctl backup` while it serves, more notes, the process stopped,
/// `chatpanelctl restore`, and the process started again holds exactly the backed-up notes,
/// with an intact database. A restore is refused while the process runs, and for a backup
/// whose schema is newer than the binary.
@Suite(.timeLimit(.minutes(2)))
struct BackupRestoreTests {
    private let caller = RPCV1.Caller(managerID: 1, rights: [.tasks])

    private func startTasks(_ dir: String, log: String) async throws -> (ChildProcess, RPCClient) {
        let socket = "\(dir)/state/tasks.sock"
        let process = try ChildProcess.spawn(
            Binaries.daemon, ["tasks", "--socket", socket, "--state-dir", "\(dir)/state"], logPrefix: "\(dir)/\(log)")
        try await waitUntilServing(process, socket: socket)
        var configuration = RPCClientConfiguration(socketPath: socket)
        configuration.defaultCaller = caller
        return (process, RPCClient(configuration: configuration))
    }

    private func note(_ client: RPCClient, _ text: String) async throws {
        var request = TasksV1.CreateNoteRequest()
        request.clientID = 7
        request.text = text
        _ = try await client.unary(TasksV1.Tasks.createNote, request)
    }

    private func notes(_ client: RPCClient) async throws -> Set<String> {
        var request = TasksV1.ListNotesRequest()
        request.clientID = 7
        request.pageSize = 50
        return Set(try await client.unary(TasksV1.Tasks.listNotes, request).notes.map(\.text))
    }

    private func control(_ dir: String, _ arguments: [String], log: String) async throws -> (Termination?, String) {
        let process = try ChildProcess.spawn(Binaries.control, arguments, logPrefix: "\(dir)/\(log)")
        let ended = try await process.waitForExit(timeout: .seconds(60))
        return (ended, process.standardOutput + process.standardError)
    }

    @Test func backUpWriteMoreRestoreAndExactlyTheBackedUpDataIsThere() async throws {
        try await withTemporaryDirectory { dir in
            let backup = "\(dir)/backup"
            var (process, client) = try await startTasks(dir, log: "tasks-1")
            for index in 1...5 { try await note(client, "before \(index)") }

            let (backedUp, backupOutput) = try await control(
                dir, ["backup", "--to", backup, "--socket", "\(dir)/state/tasks.sock"], log: "backup")
            #expect(backedUp == .exited(0), "\(backupOutput)")
            let manifest = try String(contentsOfFile: "\(backup)/manifest.json", encoding: .utf8)
            #expect(manifest.contains("\"process\" : \"tasks\""), "\(manifest)")
            #expect(manifest.contains("\"schema_version\" : \"tasks."), "\(manifest)")
            #expect(manifest.contains("\"sha256\""), "\(manifest)")

            for index in 1...3 { try await note(client, "after \(index)") }
            #expect(try await notes(client).count == 8)

            // Refused while the process serves.
            let (whileRunning, runningOutput) = try await control(
                dir, ["restore", "--from", backup, "--state-dir", "\(dir)/state"], log: "restore-running")
            #expect(whileRunning != .exited(0))
            #expect(runningOutput.contains("stop it first"), "\(runningOutput)")

            await client.close()
            process.send(SIGTERM)
            _ = try await process.waitForExit(timeout: .seconds(20))

            let (restored, restoreOutput) = try await control(
                dir, ["restore", "--from", backup, "--state-dir", "\(dir)/state"], log: "restore")
            #expect(restored == .exited(0), "\(restoreOutput)")
            #expect(try SQLiteStore.integrityCheck(path: "\(dir)/state/tasks.sqlite") == ["ok"])

            (process, client) = try await startTasks(dir, log: "tasks-2")
            #expect(try await notes(client) == Set((1...5).map { "before \($0)" }))
            await client.close()
            process.send(SIGTERM)
            _ = try await process.waitForExit(timeout: .seconds(20))
        }
    }

    @Test func aBackupFromANewerSchemaIsRefusedAndNothingIsTouched() async throws {
        try await withTemporaryDirectory { dir in
            let backup = "\(dir)/backup"
            let (process, client) = try await startTasks(dir, log: "tasks")
            try await note(client, "kept")
            let (backedUp, output) = try await control(dir, ["backup", "--to", backup, "--socket", "\(dir)/state/tasks.sock"], log: "backup")
            #expect(backedUp == .exited(0), "\(output)")
            await client.close()
            process.send(SIGTERM)
            _ = try await process.waitForExit(timeout: .seconds(20))

            // As a newer version would have written it: one more migration in the manifest.
            let manifestPath = "\(backup)/manifest.json"
            let manifest = try String(contentsOfFile: manifestPath, encoding: .utf8)
                .replacingOccurrences(of: "\"migrations\" : [", with: "\"migrations\" : [\n        \"tasks.9999.from-the-future\",")
            try manifest.write(toFile: manifestPath, atomically: true, encoding: .utf8)
            let before = try sha256File("\(dir)/state/tasks.sqlite")

            let (refused, refusal) = try await control(dir, ["restore", "--from", backup, "--state-dir", "\(dir)/state"], log: "restore")
            #expect(refused != .exited(0))
            #expect(refusal.contains("newer than this binary"), "\(refusal)")
            #expect(refusal.contains("tasks.9999.from-the-future"), "\(refusal)")
            #expect(try sha256File("\(dir)/state/tasks.sqlite") == before)
        }
    }

    private func sha256File(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }
}
