import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelSystem
import ClientsService
import Crypto
import Foundation
import Gateway
import InsightsService
import OrdersService
import TasksService

/// The databases this binary knows, by process: what a restore checks a backup's schema against.
enum KnownSchemas {
    static let migrations: [String: StoreMigrations] = [
        "clients": ClientsStore.migrations, "tasks": TasksStore.migrations, "orders": OrdersStore.migrations,
        "insights": InsightsStore.migrations, "gateway": GatewayStore.migrations,
    ]

    /// Every migration identifier this binary knows for `process` (the store kit's included).
    static func known(_ process: String) -> Set<String>? {
        migrations[process].map { SQLiteStore.kitMigrations.appending($0).knownIdentifiers }
    }
}

/// One database in a backup folder, as `manifest.json` lists it.
struct BackupEntry: Codable, Equatable {
    var process: String
    var file: String
    /// The last migration applied: the schema version.
    var schemaVersion: String
    var migrations: [String]
    var sizeBytes: UInt64
    var sha256: String
    var takenAtMs: Int64
}

/// A process whose database a backup could not take.
struct BackupFailure: Codable, Equatable {
    /// The socket it was asked on.
    var socket: String
    /// What went wrong.
    var error: String
}

/// `manifest.json` of a backup folder.
struct BackupManifest: Codable {
    var createdAtMs: Int64
    var backups: [BackupEntry]
    /// False when a process's database could not be taken (absent in manifests written before
    /// this was recorded: those were complete).
    var complete: Bool?
    /// The processes whose databases are missing, and why.
    var failed: [BackupFailure]?
}

/// SHA-256 of a file, lowercase hex, read in 1 MiB pieces.
func sha256(ofFile path: String) throws -> String {
    guard let file = FileHandle(forReadingAtPath: path) else { throw ValidationError("cannot read \(path)") }
    defer { try? file.close() }
    var hasher = SHA256()
    while let data = try file.read(upToCount: 1 << 20), !data.isEmpty { hasher.update(data: data) }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
}

/// `chatpanelctl backup --to DIR`: a consistent copy of each process's database, taken while it
/// serves, and a manifest.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copies each process's database (consistent, while it serves) into a folder with a manifest.",
        discussion: """
            Asks every socket given (or, by default, every *.sock in --run-dir) for a copy made with \
            SQLite's VACUUM INTO, checks each copy's SHA-256, and writes <process>.sqlite files and \
            manifest.json (process, schema version, migrations, size, checksum). Needs the admin \
            method group on each process's allow-list. The folder is created 0700 and every file in \
            it 0600, whatever the umask. A process that fails does not stop the others: the manifest \
            then says "complete": false and lists the failed sockets with their errors, and the \
            command exits 1; when none succeeds, nothing is left behind.
            """)

    @Option(help: "The folder to write (created; must not hold a manifest already).") var to: String
    @Option(name: .customLong("socket"), help: "A process's socket; repeatable.") var sockets: [String] = []
    @Option(help: "Where the sockets are when none is given.") var runDir = "run/state"
    @Option(help: "Call timeout per database in seconds.") var timeoutSeconds = 600

    func run() async throws {
        let targets =
            sockets.isEmpty
            ? ((try? FileManager.default.contentsOfDirectory(atPath: runDir)) ?? []).filter { $0.hasSuffix(".sock") }.sorted()
                .map { "\(runDir)/\($0)" } : sockets
        guard !targets.isEmpty else { throw ValidationError("no sockets given and none in \(runDir)") }
        let created = !FileManager.default.fileExists(atPath: to)
        try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
        // The copies are the customers' data: only the owner reads them, whatever the umask.
        if created, chmod(to, 0o700) != 0 { throw ValidationError("cannot make \(to) private (errno \(errno))") }
        guard !FileManager.default.fileExists(atPath: "\(to)/manifest.json") else {
            throw ValidationError("\(to) already holds a backup (manifest.json); choose an empty folder")
        }
        var entries: [BackupEntry] = []
        var failures: [BackupFailure] = []
        for socket in targets {
            do {
                let entry = try await backup(socket)
                entries.append(entry)
                print("\(entry.process): \(entry.sizeBytes) bytes, schema \(entry.schemaVersion), sha256 \(entry.sha256.prefix(16))…")
            } catch {
                failures.append(BackupFailure(socket: socket, error: "\(error)"))
                FileHandle.standardError.write(Data("\(socket): backup failed: \(error)\n".utf8))
            }
        }
        guard !entries.isEmpty else {
            if created { try? FileManager.default.removeItem(atPath: to) }
            throw ValidationError("no database was backed up (\(failures.count) failed)")
        }
        let manifest = BackupManifest(
            createdAtMs: Int64(Date().timeIntervalSince1970 * 1000), backups: entries, complete: failures.isEmpty,
            failed: failures.isEmpty ? nil : failures)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let part = "\(to)/.manifest.json.part"
        let file = try createPrivateFile(part)
        try file.write(contentsOf: encoder.encode(manifest))
        try file.synchronize()
        try file.close()
        try moveInPlace(part, "\(to)/manifest.json")
        syncFolder(to)
        guard failures.isEmpty else {
            let failed = failures.map(\.socket).joined(separator: ", ")
            FileHandle.standardError.write(
                Data("backup incomplete: \(entries.count) of \(targets.count) databases in \(to); failed: \(failed)\n".utf8))
            throw ExitCode.failure
        }
        print("backup of \(entries.count) databases in \(to)")
    }

    private func backup(_ socket: String) async throws -> BackupEntry {
        var configuration = RPCClientConfiguration(socketPath: socket)
        configuration.defaultCaller = RPCV1.Caller(managerID: 0, rights: [.admin])
        let client = RPCClient(configuration: configuration)
        defer { Task { await client.close() } }
        let part = "\(to)/.\(URL(fileURLWithPath: socket).lastPathComponent).part"
        do {
            let file = try createPrivateFile(part)
            var info: AdminV1.BackupInfo?
            do {
                let stream = client.serverStreaming(
                    AdminV1.Admin.backup, AdminV1.BackupRequest(), options: RPCCallOptions(timeout: .seconds(timeoutSeconds)))
                for try await chunk in stream {
                    if !chunk.data.isEmpty { try file.write(contentsOf: chunk.data) }
                    if let last = chunk.info { info = last }
                }
                try file.synchronize()
                try file.close()
            } catch {
                try? file.close()
                throw error
            }
            guard let info else { throw ValidationError("the backup ended without its info") }
            let checksum = try sha256(ofFile: part)
            guard checksum == info.sha256 else {
                throw ValidationError("the copy's checksum \(checksum) differs from the process's \(info.sha256)")
            }
            let name = "\(info.process).sqlite"
            try moveInPlace(part, "\(to)/\(name)")
            return BackupEntry(
                process: info.process, file: name, schemaVersion: info.migrations.last ?? "", migrations: info.migrations,
                sizeBytes: info.sizeBytes, sha256: info.sha256, takenAtMs: info.takenAtMs)
        } catch {
            try? FileManager.default.removeItem(atPath: part)
            throw error
        }
    }
}

/// Creates (or empties) `path` with mode 0600 whatever the umask, for writing.
func createPrivateFile(_ path: String) throws -> FileHandle {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw ValidationError("cannot write \(path): \(String(cString: strerror(errno)))") }
    // An existing file keeps its mode through open: set it.
    guard fchmod(descriptor, 0o600) == 0 else {
        let failure = errno
        close(descriptor)
        throw ValidationError("cannot make \(path) private: \(String(cString: strerror(failure)))")
    }
    return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
}

/// Renames `source` to `target`, replacing it.
func moveInPlace(_ source: String, _ target: String) throws {
    guard rename(source, target) == 0 else {
        throw ValidationError("cannot move \(source) to \(target): \(String(cString: strerror(errno)))")
    }
}

/// Makes the folder's new entries durable (best effort).
func syncFolder(_ path: String) {
    let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    _ = fsync(descriptor)
    close(descriptor)
}
