import ChatPanelProto
public import ChatPanelRPC
public import ChatPanelStore
import Crypto
import Foundation
import Logging

/// `chatpanel.admin.v1.Admin/Backup`, which every service host answers (admin method group):
/// a consistent copy of the process's database, taken with `VACUUM INTO` while the process
/// keeps serving, streamed in chunks of 512 KiB; the last chunk carries the copy's migrations,
/// size and SHA-256. The copy is made in the state folder (the only place a hardened unit may
/// write) and removed once sent.
public enum BackupMethods {
    /// Chunk size of the stream: well inside the 1 MiB frame limit.
    static let chunkSize = 512 * 1024

    /// The router of `process`'s backups of `database`.
    public static func makeRouter(process: String, database: SQLiteStore) -> RPCRouter {
        var router = RPCRouter()
        router.register(AdminV1.Admin.backup, group: .admin) { _, writer, context in
            let folder = URL(fileURLWithPath: database.path).deletingLastPathComponent().path
            let copy = "\(folder)/.backup-\(process)-\(UUID().uuidString).sqlite"
            defer { try? FileManager.default.removeItem(atPath: copy) }
            let takenAt = database.now()
            let migrations = try await database.backup(into: copy)
            guard let file = FileHandle(forReadingAtPath: copy) else {
                throw RPCError(code: .internal, message: "the backup copy cannot be read")
            }
            defer { try? file.close() }
            var hasher = SHA256()
            var size: UInt64 = 0
            while true {
                try Task.checkCancellation()
                let data = try file.read(upToCount: chunkSize) ?? Data()
                if data.isEmpty { break }
                hasher.update(data: data)
                size += UInt64(data.count)
                var chunk = AdminV1.BackupChunk()
                chunk.data = [UInt8](data)
                try await writer.send(chunk)
            }
            var info = AdminV1.BackupInfo()
            info.process = process
            info.migrations = migrations
            info.sizeBytes = size
            info.sha256 = hasher.finalize().map { String(format: "%02x", $0) }.joined()
            info.takenAtMs = takenAt
            var last = AdminV1.BackupChunk()
            last.info = info
            try await writer.send(last)
            context.logger.notice("store.backup.sent", metadata: ["chatpanel.store.size": "\(size)"])
        }
        return router
    }
}
