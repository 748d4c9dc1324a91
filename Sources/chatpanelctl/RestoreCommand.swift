import ArgumentParser
import ChatPanelStore
import ChatPanelSystem
import Foundation

/// `chatpanelctl restore --from DIR --state-dir S`: puts a backup's databases in place of the
/// stopped processes' own.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restores databases from a backup folder into a state folder (the processes stopped).",
        discussion: """
            Checks every database first: its checksum against the manifest, its migrations against \
            the manifest, and that this binary knows every migration it has applied (a backup from a \
            newer version is refused). Then takes each process's lock, <state-dir>/<process>.lock, \
            which a running process holds wherever its socket is: while a process runs the restore \
            is refused, naming it, and while the restore runs the process cannot start. Then \
            replaces each <process>.sqlite (and drops its -wal and -shm files). Run it as the \
            process's user, or as root: the restored files then get the state folder's owner. \
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
        if manifest.complete == false {
            let failed = (manifest.failed ?? []).map(\.socket).joined(separator: ", ")
            FileHandle.standardError.write(Data("note: an incomplete backup (failed: \(failed)); restoring what it holds\n".utf8))
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
        }
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        let owner = try stateFolderOwner()
        // Held until the files are swapped (the kernel drops them when this process ends).
        var locks: [StateDirectoryLock] = []
        for entry in chosen {
            do {
                locks.append(try StateDirectoryLock(stateDirectory: stateDir, process: entry.process, owner: owner))
            } catch {
                guard case .held(let pid) = error.reason else { throw ValidationError(error.description) }
                throw ValidationError(
                    "\(entry.process) is running (\(pid.map { "pid \($0)" } ?? "pid unknown") holds \(error.path)): stop it first")
            }
            // A process of a version without the lock still answers on its socket here.
            if UnixSocketFile.occupant(of: "\(stateDir)/\(entry.process).sock") == .liveServer {
                throw ValidationError("\(entry.process) is running on \(stateDir)/\(entry.process).sock: stop it first")
            }
        }
        for entry in chosen {
            let target = "\(stateDir)/\(entry.process).sqlite"
            let staging = target + ".restoring"
            try? FileManager.default.removeItem(atPath: staging)
            try FileManager.default.copyItem(atPath: "\(from)/\(entry.file)", toPath: staging)
            if let owner, chown(staging, owner.uid, owner.gid) != 0 {
                throw ValidationError("cannot give \(staging) to the state folder's owner (errno \(errno))")
            }
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
            if rename(staging, target) != 0 { throw ValidationError("cannot move \(staging) to \(target) (errno \(errno))") }
            print("\(entry.process): restored schema \(entry.schemaVersion), \(entry.sizeBytes) bytes, to \(target)")
        }
        syncFolder(stateDir)
        withExtendedLifetime(locks) {}
    }

    /// The state folder's owner when this runs as root (the files it creates are given to it,
    /// so that the process can open them); nil otherwise.
    private func stateFolderOwner() throws -> (uid: uid_t, gid: gid_t)? {
        guard geteuid() == 0 else { return nil }
        var info = stat()
        guard stat(stateDir, &info) == 0 else { throw ValidationError("cannot read \(stateDir) (errno \(errno))") }
        return (info.st_uid, info.st_gid)
    }
}
