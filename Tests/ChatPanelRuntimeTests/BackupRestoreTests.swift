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
/// with an intact database. As under systemd, the socket is not in the state folder: a
/// restore is refused while the process runs all the same (it holds its state folder's lock),
/// and for a backup whose schema is newer than the binary. A backup is private whatever the
/// umask, and one that fails at a process still takes the others and says it is incomplete.
@Suite(.timeLimit(.minutes(2)))
struct BackupRestoreTests {
    private let caller = RPCV1.Caller(managerID: 1, rights: [.tasks])

    /// The socket's place: beside the state folder, not in it (`/run/chatpanel` and `/var/lib/chatpanel/tasks`).
    private func tasksSocket(_ dir: String) -> String { "\(dir)/run/tasks.sock" }

    private func startTasks(_ dir: String, log: String) async throws -> (ChildProcess, RPCClient) {
        let socket = tasksSocket(dir)
        try FileManager.default.createDirectory(atPath: "\(dir)/run", withIntermediateDirectories: true)
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

    /// Runs `chatpanelctl`, under `umask` when given (through the shell, as cron or a login shell would).
    private func control(_ dir: String, _ arguments: [String], log: String, umask: String? = nil) async throws -> (Termination?, String) {
        let process =
            if let umask {
                try ChildProcess.spawn(
                    "/bin/sh", ["-c", "umask \(umask) && exec \"$0\" \"$@\"", Binaries.control] + arguments, logPrefix: "\(dir)/\(log)")
            } else {
                try ChildProcess.spawn(Binaries.control, arguments, logPrefix: "\(dir)/\(log)")
            }
        let ended = try await process.waitForExit(timeout: .seconds(60))
        return (ended, process.standardOutput + process.standardError)
    }

    private func stop(_ process: ChildProcess, _ client: RPCClient) async throws {
        await client.close()
        process.send(SIGTERM)
        _ = try await process.waitForExit(timeout: .seconds(20))
    }

    /// Starts the tasks process, writes a note, backs it up into `<dir>/backup` (under `umask`
    /// when given) and stops it.
    private func backUpAndStop(_ dir: String, note text: String, umask: String? = nil) async throws -> String {
        let backup = "\(dir)/backup"
        let (process, client) = try await startTasks(dir, log: "tasks")
        try await note(client, text)
        let (backedUp, output) = try await control(
            dir, ["backup", "--to", backup, "--socket", tasksSocket(dir)], log: "backup", umask: umask)
        #expect(backedUp == .exited(0), "\(output)")
        try await stop(process, client)
        return backup
    }

    @Test func backUpWriteMoreRestoreAndExactlyTheBackedUpDataIsThere() async throws {
        try await withTemporaryDirectory { dir in
            let backup = "\(dir)/backup"
            var (process, client) = try await startTasks(dir, log: "tasks-1")
            for index in 1...5 { try await note(client, "before \(index)") }

            let (backedUp, backupOutput) = try await control(
                dir, ["backup", "--to", backup, "--socket", tasksSocket(dir)], log: "backup")
            #expect(backedUp == .exited(0), "\(backupOutput)")
            let manifest = try String(contentsOfFile: "\(backup)/manifest.json", encoding: .utf8)
            #expect(manifest.contains("\"process\" : \"tasks\""), "\(manifest)")
            #expect(manifest.contains("\"schema_version\" : \"tasks."), "\(manifest)")
            #expect(manifest.contains("\"sha256\""), "\(manifest)")

            for index in 1...3 { try await note(client, "after \(index)") }
            #expect(try await notes(client).count == 8)

            // Refused while the process serves, though its socket is elsewhere; nothing touched.
            let (whileRunning, runningOutput) = try await control(
                dir, ["restore", "--from", backup, "--state-dir", "\(dir)/state"], log: "restore-running")
            #expect(whileRunning != .exited(0))
            #expect(runningOutput.contains("tasks is running (pid \(process.pid) holds"), "\(runningOutput)")
            #expect(runningOutput.contains("stop it first"), "\(runningOutput)")
            #expect(pathExists("\(dir)/state/tasks.sqlite-wal"))
            #expect(try await notes(client).count == 8)

            try await stop(process, client)

            let (restored, restoreOutput) = try await control(
                dir, ["restore", "--from", backup, "--state-dir", "\(dir)/state"], log: "restore")
            #expect(restored == .exited(0), "\(restoreOutput)")
            #expect(try SQLiteStore.integrityCheck(path: "\(dir)/state/tasks.sqlite") == ["ok"])

            (process, client) = try await startTasks(dir, log: "tasks-2")
            #expect(try await notes(client) == Set((1...5).map { "before \($0)" }))
            try await stop(process, client)
        }
    }

    @Test func aBackupFromANewerSchemaIsRefusedAndNothingIsTouched() async throws {
        try await withTemporaryDirectory { dir in
            let backup = try await backUpAndStop(dir, note: "kept")

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

    @Test func aSecondProcessOnTheSameStateFolderRefusesToStartNamingTheFirst() async throws {
        try await withTemporaryDirectory { dir in
            let (process, client) = try await startTasks(dir, log: "tasks")
            try await note(client, "first")
            let second = try ChildProcess.spawn(
                Binaries.daemon, ["tasks", "--socket", "\(dir)/run/second.sock", "--state-dir", "\(dir)/state"],
                logPrefix: "\(dir)/second")
            let ended = try await second.exit(within: .seconds(60))
            #expect(ended != .exited(0))
            #expect(second.standardError.contains("\(dir)/state/tasks.lock is held by pid \(process.pid)"), "\(second.standardError)")
            #expect(!pathExists("\(dir)/run/second.sock"))
            #expect(try await notes(client) == ["first"])
            try await stop(process, client)
        }
    }

    @Test func theBackupFolderAndItsFilesAreTheOwnersOnlyWhateverTheUmask() async throws {
        try await withTemporaryDirectory { dir in
            let backup = try await backUpAndStop(dir, note: "private", umask: "022")
            #expect(try mode(of: backup) == 0o700)
            #expect(try mode(of: "\(backup)/tasks.sqlite") == 0o600)
            #expect(try mode(of: "\(backup)/manifest.json") == 0o600)
        }
    }

    @Test func aBackupThatFailsAtOneProcessTakesTheOthersAndSaysItIsIncomplete() async throws {
        try await withTemporaryDirectory { dir in
            let backup = "\(dir)/backup"
            var (process, client) = try await startTasks(dir, log: "tasks-1")
            try await note(client, "kept")
            // The first socket fails (its process is down); the tasks process after it is still asked.
            let gone = "\(dir)/run/gateway.sock"
            let (partial, output) = try await control(
                dir, ["backup", "--to", backup, "--socket", gone, "--socket", tasksSocket(dir)], log: "backup")
            #expect(partial == .exited(1), "\(output)")
            #expect(output.contains("backup incomplete"), "\(output)")
            #expect(output.contains(gone), "\(output)")
            #expect(Set(try FileManager.default.contentsOfDirectory(atPath: backup)) == ["manifest.json", "tasks.sqlite"])
            let manifest = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(backup)/manifest.json"))) as? [String: Any])
            #expect(manifest["complete"] as? Bool == false)
            let failed = try #require(manifest["failed"] as? [[String: Any]])
            #expect(failed.map { $0["socket"] as? String } == [gone])
            #expect((manifest["backups"] as? [[String: Any]])?.map { $0["process"] as? String } == ["tasks"])

            // What it holds restores.
            try await note(client, "after")
            try await stop(process, client)
            let (restored, restoreOutput) = try await control(
                dir, ["restore", "--from", backup, "--state-dir", "\(dir)/state", "--process", "tasks"], log: "restore")
            #expect(restored == .exited(0), "\(restoreOutput)")
            (process, client) = try await startTasks(dir, log: "tasks-2")
            #expect(try await notes(client) == ["kept"])
            try await stop(process, client)

            // When nothing could be taken, nothing is left behind.
            let (nothing, nothingOutput) = try await control(dir, ["backup", "--to", "\(dir)/empty", "--socket", gone], log: "backup-none")
            #expect(nothing != .exited(0), "\(nothingOutput)")
            #expect(!pathExists("\(dir)/empty"))
        }
    }

    @Test(.enabled(if: geteuid() == 0, "giving files to another user needs root"))
    func aRestoreRunAsRootGivesTheFilesToTheStateFoldersOwner() async throws {
        try await withTemporaryDirectory { dir in
            let backup = try await backUpAndStop(dir, note: "owned")

            // A state folder of the service's user, as systemd's StateDirectory= makes it.
            let owned = "\(dir)/owned"
            try FileManager.default.createDirectory(atPath: owned, withIntermediateDirectories: false)
            #expect(chown(owned, 4321, 4322) == 0)
            let (restored, restoreOutput) = try await control(dir, ["restore", "--from", backup, "--state-dir", owned], log: "restore")
            #expect(restored == .exited(0), "\(restoreOutput)")
            for file in ["tasks.sqlite", "tasks.lock"] {
                var info = stat()
                #expect(stat("\(owned)/\(file)", &info) == 0)
                #expect(info.st_uid == 4321 && info.st_gid == 4322, "\(file): \(info.st_uid):\(info.st_gid)")
            }
        }
    }

    private func mode(of path: String) throws -> mode_t {
        var info = stat()
        guard stat(path, &info) == 0 else { throw TestFailure("cannot stat \(path): errno \(errno)") }
        return info.st_mode & 0o7777
    }

    private func sha256File(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }
}
