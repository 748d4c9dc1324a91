#if canImport(Glibc)
    import Glibc
#endif

/// Starting a program with `posix_spawn`, for a service that runs a helper (printed forms run
/// WeasyPrint) and for the tests' child processes.
///
/// Foundation's `Process.run` is not used: before it spawns, it lists `/proc/self/fd` and copies
/// each entry's name 256 bytes at a time, reading past the end of the directory buffer (the
/// address sanitizer reports it, and a copy that reached an unmapped page crashed a test run on
/// an event loop thread).
public enum Subprocess {
    /// How a child process ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It called exit with this status.
        case exited(Int32)
        /// A signal killed it.
        case signaled(Int32)

        public var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signaled(let signal): "killed by signal \(signal)"
            }
        }

        /// The termination `waitpid` reported as `status`.
        public init(waitStatus status: Int32) {
            let signal = status & 0x7f
            self = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        }
    }

    /// Where one of a child's standard streams goes.
    public enum Stream: Sendable {
        /// The parent's own.
        case inherited
        /// A file, opened for the child (for output, created or truncated).
        case file(String)
        /// A copy of one of the parent's descriptors (`.descriptor(2)`: the parent's stderr).
        case descriptor(Int32)
    }

    /// Why a program could not be started.
    public struct SpawnError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts `path` with `arguments` and exactly `environment`: standard input, output and error
    /// from and to the given streams (by default /dev/null), no other
    /// descriptor inherited, default signal dispositions and an empty signal mask (whatever the
    /// parent did to its own), in `workingDirectory` when given. Returns the child's pid; the
    /// caller reaps it (``poll(_:)``, ``wait(_:)``).
    public static func spawn(
        _ path: String, _ arguments: [String], environment: [String: String], standardInput: Stream = .file("/dev/null"),
        standardOutput: Stream = .file("/dev/null"), standardError: Stream = .file("/dev/null"), workingDirectory: String? = nil
    ) throws(SpawnError) -> Int32 {
        guard access(path, X_OK) == 0 else { throw SpawnError(description: "\(path) is not an executable (errno \(errno))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (descriptor, stream) in [(Int32(0), standardInput), (1, standardOutput), (2, standardError)] {
            switch stream {
            case .inherited:
                break
            case .file(let path):
                let flags = descriptor == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC
                posix_spawn_file_actions_addopen(&actions, descriptor, path, flags, 0o644)
            case .descriptor(let source):
                posix_spawn_file_actions_adddup2(&actions, source, descriptor)
            }
        }
        if let closeFrom = closeFromAction { _ = closeFrom(&actions, 3) }
        if let workingDirectory {
            guard let chdir = chdirAction else { throw SpawnError(description: "this C library cannot set a child's working directory") }
            _ = chdir(&actions, workingDirectory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw SpawnError(description: "posix_spawn \(path) failed: errno \(rc)") }
        return pid
    }

    /// How the child ended, when it has (reaped without blocking); nil while it runs.
    public static func poll(_ pid: Int32) -> Termination? {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        return Termination(waitStatus: status)
    }

    /// Blocks until the child ends, and reaps it.
    public static func wait(_ pid: Int32) -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return Termination(waitStatus: status)
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which the Glibc module does not
/// export: closes every descriptor from the given one up in the child.
private let closeFromAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
    return unsafeBitCast(
        symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}()

/// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), also not exported: changes the
/// child's working directory before it execs.
private let chdirAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return nil }
    return unsafeBitCast(
        symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
}()
