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

/// `manifest.json` of a backup folder.
struct BackupManifest: Codable {
    var createdAtMs: Int64
    var backups: [BackupEntry]
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
            method group on each process's allow-list.
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
        try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
        guard !FileManager.default.fileExists(atPath: "\(to)/manifest.json") else {
            throw ValidationError("\(to) already holds a backup (manifest.json); choose an empty folder")
        }
        var entries: [BackupEntry] = []
        for socket in targets {
            let entry = try await backup(socket)
            entries.append(entry)
            print("\(entry.process): \(entry.sizeBytes) bytes, schema \(entry.schemaVersion), sha256 \(entry.sha256.prefix(16))…")
        }
        let manifest = BackupManifest(createdAtMs: Int64(Date().timeIntervalSince1970 * 1000), backups: entries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: "\(to)/manifest.json"), options: .atomic)
        print("backup of \(entries.count) databases in \(to)")
    }

    private func backup(_ socket: String) async throws -> BackupEntry {
        var configuration = RPCClientConfiguration(socketPath: socket)
        configuration.defaultCaller = RPCV1.Caller(managerID: 0, rights: [.admin])
        let client = RPCClient(configuration: configuration)
        defer { Task { await client.close() } }
        let part = "\(to)/.\(URL(fileURLWithPath: socket).lastPathComponent).part"
        _ = FileManager.default.createFile(atPath: part, contents: nil)
        guard let file = FileHandle(forWritingAtPath: part) else { throw ValidationError("cannot write \(part)") }
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
        } catch let error as RPCError {
            try? file.close()
            try? FileManager.default.removeItem(atPath: part)
            throw ValidationError("\(socket): \(error)")
        }
        guard let info else { throw ValidationError("\(socket): the backup ended without its info") }
        let checksum = try sha256(ofFile: part)
        guard checksum == info.sha256 else {
            try? FileManager.default.removeItem(atPath: part)
            throw ValidationError("\(socket): the copy's checksum \(checksum) differs from the process's \(info.sha256)")
        }
        let name = "\(info.process).sqlite"
        try? FileManager.default.removeItem(atPath: "\(to)/\(name)")
        try FileManager.default.moveItem(atPath: part, toPath: "\(to)/\(name)")
        return BackupEntry(
            process: info.process, file: name, schemaVersion: info.migrations.last ?? "", migrations: info.migrations,
            sizeBytes: info.sizeBytes, sha256: info.sha256, takenAtMs: info.takenAtMs)
    }
}

/// `chatpanelctl restore --from DIR --state-dir S`: puts a backup's databases in place of the
/// stopped processes' own.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restores databases from a backup folder into a state folder (the processes stopped).",
        discussion: """
            Checks every database first: its checksum against the manifest, its migrations against \
            the manifest, and that this binary knows every migration it has applied (a backup from a \
            newer version is refused); refuses while a process still answers on its socket in the \
            state folder. Then replaces each <process>.sqlite (and drops its -wal and -shm files). \
            Under systemd each process has its own state folder: restore one process at a time \
            with --process and that process's --state-dir.
            """)

    @Option(help: "The backup folder (with manifest.json).") var from: String
    @Option(help: "The state folder to restore into.") var stateDir: String
    @Option(name: .customLong("process"), help: "Restore only these processes; repeatable (default: all in the backup).")
    var processes: [String] = []

    func run() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(from)/manifest.json"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let manifest = try decoder.decode(BackupManifest.self, from: data)
        let chosen = manifest.backups.filter { processes.isEmpty || processes.contains($0.process) }
        for missing in processes where !manifest.backups.contains(where: { $0.process == missing }) {
            throw ValidationError("the backup has no database of \(missing)")
        }
        // Check everything before touching anything.
        for entry in chosen {
            let path = "\(from)/\(entry.file)"
            guard let known = KnownSchemas.known(entry.process) else {
                throw ValidationError("\(entry.process): this binary knows no such process")
            }
            let unknown = entry.migrations.filter { !known.contains($0) }
            guard unknown.isEmpty else {
                throw ValidationError(
                    "\(entry.process): the backup's schema is newer than this binary (migrations it does not know: "
                        + "\(unknown.joined(separator: ", "))); restore it with the version that took it")
            }
            guard try sha256(ofFile: path) == entry.sha256 else {
                throw ValidationError("\(entry.process): \(path) does not match the manifest's checksum")
            }
            guard try SQLiteStore.appliedMigrations(path: path) == entry.migrations else {
                throw ValidationError("\(entry.process): \(path)'s migrations differ from the manifest's")
            }
            guard try SQLiteStore.integrityCheck(path: path) == ["ok"] else {
                throw ValidationError("\(entry.process): \(path) fails PRAGMA integrity_check")
            }
            if UnixSocketFile.occupant(of: "\(stateDir)/\(entry.process).sock") == .liveServer {
                throw ValidationError("\(entry.process) is running on \(stateDir)/\(entry.process).sock: stop it first")
            }
        }
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        for entry in chosen {
            let target = "\(stateDir)/\(entry.process).sqlite"
            let staging = target + ".restoring"
            try? FileManager.default.removeItem(atPath: staging)
            try FileManager.default.copyItem(atPath: "\(from)/\(entry.file)", toPath: staging)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
            if rename(staging, target) != 0 { throw ValidationError("cannot move \(staging) to \(target) (errno \(errno))") }
            print("\(entry.process): restored schema \(entry.schemaVersion), \(entry.sizeBytes) bytes, to \(target)")
        }
    }
}
