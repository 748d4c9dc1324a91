import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A failure of a test-support helper (a child process, a temporary folder, a wait), saying what went wrong.
public struct TestSupportFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
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

/// How a child process ended.
public enum Termination: Equatable, CustomStringConvertible {
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
}

/// A process spawned with `posix_spawn`: default signal dispositions and an empty signal mask
/// (whatever the test runner did to its own), stdin from /dev/null, stdout and stderr to files,
/// and no inherited descriptors past stderr. Use `defer { child.kill() }` right after spawning.
public final class ChildProcess {
    /// The executable's file name, for messages.
    public let name: String
    /// The process id.
    public let pid: Int32
    /// Where its standard output goes.
    public let stdoutPath: String
    /// Where its standard error goes.
    public let stderrPath: String
    private var termination: Termination?

    private init(name: String, pid: pid_t, stdoutPath: String, stderrPath: String) {
        self.name = name
        self.pid = pid
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }

    /// Starts `path` with `arguments` and exactly `environment`, reading `standardInput`, in
    /// `workingDirectory` when given; output goes to `<logPrefix>.out` and `<logPrefix>.err`.
    public static func spawn(
        _ path: String, _ arguments: [String], environment: [String: String] = childEnvironment(), logPrefix: String, name: String? = nil,
        standardInput: String = "/dev/null", workingDirectory: String? = nil
    ) throws -> ChildProcess {
        guard access(path, X_OK) == 0 else { throw TestSupportFailure("\(path) is not an executable (errno \(errno)); build it first") }
        let stdoutPath = logPrefix + ".out"
        let stderrPath = logPrefix + ".err"

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, standardInput, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let closeFrom = closeFromAction { _ = closeFrom(&actions, 3) }
        if let workingDirectory {
            guard let chdir = chdirAction else { throw TestSupportFailure("this C library cannot set a child's working directory") }
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
        guard rc == 0 else { throw TestSupportFailure("posix_spawn \(path) failed: errno \(rc)") }
        return ChildProcess(
            name: name ?? URL(fileURLWithPath: path).lastPathComponent, pid: pid, stdoutPath: stdoutPath, stderrPath: stderrPath)
    }

    /// Whether it has not been seen to exit yet.
    public var isRunning: Bool { poll() == nil }

    /// How it ended, when it has (reaps it without blocking).
    @discardableResult
    public func poll() -> Termination? {
        if let termination { return termination }
        var status: Int32 = 0
        let rc = waitpid(pid, &status, WNOHANG)
        guard rc == pid else { return nil }
        termination = Self.decode(status)
        return termination
    }

    /// Sends `signal` to a process that has not been reaped yet.
    public func send(_ signal: Int32) {
        guard poll() == nil else { return }
        _ = Glibc.kill(pid, signal)
    }

    /// How it ended, or nil when it is still running after `timeout`.
    public func waitForExit(timeout: Duration) async throws -> Termination? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let ended = poll() { return ended }
            try await Task.sleep(for: .milliseconds(10))
        }
        return poll()
    }

    /// Blocks until it exits; how it ended.
    @discardableResult
    public func waitUntilExit() -> Termination {
        if let termination { return termination }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let ended = Self.decode(status)
        termination = ended
        return ended
    }

    /// Kills it with SIGKILL (unless it already ended) and reaps it. Safe to call twice.
    public func kill() {
        guard termination == nil else { return }
        if poll() != nil { return }
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        termination = Self.decode(status)
    }

    /// Everything written to its standard output so far.
    public var standardOutput: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    /// Everything written to its standard error so far.
    public var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    private static func decode(_ status: Int32) -> Termination {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }
}

/// The environment of the test runner without anything that would make a child think systemd
/// started it (or pick up a developer's ChatPanel settings), plus `extra`.
public func childEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    let dropped = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "STATE_DIRECTORY"]
    var environment = ProcessInfo.processInfo.environment.filter { key, _ in
        !dropped.contains(key) && !key.hasPrefix("CHATPANEL_")
    }
    environment.merge(extra) { _, new in new }
    return environment
}
