import CChatPanelSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Checks and prepares the path a server binds its Unix socket to.
public enum UnixSocketFile {
    /// What is found at a socket path before binding.
    public enum Occupant: Sendable, Equatable {
        /// Nothing: the path is free.
        case none
        /// A socket file nobody listens on, left behind by a process that died.
        case staleSocket
        /// A live server answers on it.
        case liveServer
        /// Something that is not a socket (never removed).
        case notASocket
        /// The check itself failed with this errno.
        case error(Int32)
    }

    /// Looks at what occupies `path`.
    public static func occupant(of path: String) -> Occupant {
        var info = stat()
        if lstat(path, &info) != 0 {
            return errno == ENOENT ? .none : .error(errno)
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { return .notASocket }
        let live = cp_unix_socket_is_live(path)
        switch live {
        case 1: return .liveServer
        case 0: return .staleSocket
        default: return .error(-live)
        }
    }

    /// Removes a stale socket file; refuses anything else.
    /// - Returns: whether the path is now free.
    public static func removeIfStale(_ path: String) -> Bool {
        switch occupant(of: path) {
        case .none: return true
        case .staleSocket: return unlink(path) == 0 || errno == ENOENT
        default: return false
        }
    }

    /// Sets the file's permission bits, like `0o660`.
    public static func setMode(_ path: String, _ mode: UInt32) -> Bool {
        chmod(path, mode_t(mode)) == 0
    }

    /// The user id of this process.
    public static var currentUserID: UInt32 { UInt32(getuid()) }
    /// The group id of this process.
    public static var currentGroupID: UInt32 { UInt32(getgid()) }
}
