#if canImport(Glibc)
    public import Glibc
#endif

/// The exclusive advisory lock (`flock`) a process holds on `<state>/<name>.lock` for as long as
/// it has its database open, with its pid written in the file.
///
/// Whatever changes the database files while the process is stopped (`chatpanelctl restore`)
/// takes the same lock first and refuses while anyone holds it: a running process is found
/// wherever its socket is (systemd's `/run/chatpanel`, a `--socket` elsewhere). The kernel drops
/// the lock when the process ends, however it ends. The descriptor is not inherited by child
/// processes (close-on-exec).
public final class StateDirectoryLock: Sendable {
    /// The lock file.
    public let path: String
    private let descriptor: Int32

    /// The lock file of process `process` in `stateDirectory`.
    public static func path(stateDirectory: String, process: String) -> String { "\(stateDirectory)/\(process).lock" }

    /// Takes the lock of `process` in `stateDirectory` (creating the file, given to `owner` when
    /// one is named: root restoring for the service's user), or throws when another process
    /// holds it.
    public init(stateDirectory: String, process: String, owner: (uid: uid_t, gid: gid_t)? = nil) throws(StateDirectoryLockError) {
        let path = Self.path(stateDirectory: stateDirectory, process: process)
        // Read-only is enough for flock: a lock file someone else created still locks.
        var descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        let writable = descriptor >= 0
        if descriptor < 0 { descriptor = open(path, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw StateDirectoryLockError(process: process, path: path, reason: .cannotOpen(errno)) }
        if let owner { _ = fchown(descriptor, owner.uid, owner.gid) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let holder = Self.holder(descriptor)
            close(descriptor)
            throw StateDirectoryLockError(
                process: process, path: path, reason: failure == EWOULDBLOCK ? .held(holderPID: holder) : .cannotLock(failure))
        }
        if writable {
            let text = Array("\(getpid())\n".utf8)
            _ = ftruncate(descriptor, 0)
            _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The pid the holder wrote in the file, if it did.
    private static func holder(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self).split(separator: "\n").first.flatMap { Int32($0) }
    }
}

/// The state folder's lock cannot be taken: another process holds it, or the file cannot be
/// opened or locked.
public struct StateDirectoryLockError: Error, CustomStringConvertible {
    /// Why.
    public enum Reason: Sendable, Equatable {
        /// Another process holds the lock; its pid when it wrote one.
        case held(holderPID: Int32?)
        /// The file cannot be opened (errno).
        case cannotOpen(Int32)
        /// `flock` failed for another reason than a holder (errno).
        case cannotLock(Int32)
    }

    /// The process whose lock it is.
    public let process: String
    /// The lock file.
    public let path: String
    /// Why it cannot be taken.
    public let reason: Reason

    public var description: String {
        switch reason {
        case .held(let pid):
            "\(path) is held by \(pid.map { "pid \($0)" } ?? "another process") (a \(process) process already running on this "
                + "state folder, or chatpanelctl restore): the \(process) database is in use"
        case .cannotOpen(let code): "cannot open \(path): \(String(cString: strerror(code)))"
        case .cannotLock(let code): "cannot lock \(path): \(String(cString: strerror(code)))"
        }
    }
}
