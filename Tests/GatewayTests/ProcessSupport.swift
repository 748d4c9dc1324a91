import ChatPanelProto
import ChatPanelRPC
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

// Child processes for the process-level suite, after Tests/ChatPanelRuntimeTests/Support.swift:
// posix_spawn with default signal dispositions, output to files, no inherited descriptors.

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time.
private let closeFromAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}()

/// A spawned `chatpaneld`. Kill it with ``kill()`` (safe to call twice).
final class ChildProcess {
    let name: String
    let pid: pid_t
    let stderrPath: String
    private var ended = false

    private init(name: String, pid: pid_t, stderrPath: String) {
        self.name = name
        self.pid = pid
        self.stderrPath = stderrPath
    }

    /// Starts `path` with `arguments`; stdout and stderr go to `<logPrefix>.out|.err`.
    static func spawn(_ path: String, _ arguments: [String], name: String, logPrefix: String) throws -> ChildProcess {
        guard access(path, X_OK) == 0 else { throw GatewayTestFailure("\(path) is not an executable; build it first") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPrefix + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, logPrefix + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let closeFrom = closeFromAction { _ = closeFrom(&actions, 3) }

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

        let dropped = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "STATE_DIRECTORY"]
        let environment = ProcessInfo.processInfo.environment.filter { key, _ in !dropped.contains(key) && !key.hasPrefix("CHATPANEL_") }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw GatewayTestFailure("posix_spawn \(path) failed: errno \(rc)") }
        return ChildProcess(name: name, pid: pid, stderrPath: logPrefix + ".err")
    }

    /// Whether it has exited (reaps it without blocking).
    func hasExited() -> Bool {
        if ended { return true }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { ended = true }
        return ended
    }

    /// Sends `signal` unless it has been reaped.
    func send(_ signal: Int32) {
        guard !hasExited() else { return }
        _ = Glibc.kill(pid, signal)
    }

    /// Waits up to `timeout` for it to exit; whether it did.
    func waitForExit(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if hasExited() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return hasExited()
    }

    /// SIGKILL (works on a stopped process too) and reap.
    func kill() {
        guard !hasExited() else { return }
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        ended = true
    }

    /// Its standard error so far.
    var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
}

/// Every child a test started, killed together on every exit path.
final class Children {
    private(set) var all: [ChildProcess] = []
    func add(_ child: ChildProcess) -> ChildProcess {
        all.append(child)
        return child
    }
    func killAll() { for child in all { child.kill() } }
}

/// The built executables, next to the test binary (`/proc/self/exe`'s folder).
enum Binaries {
    static let directory: String = {
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: exe).deletingLastPathComponent().path
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
    }()
    static var daemon: String { "\(directory)/chatpaneld" }
}

/// Waits until the process at `socket` answers Health/Check with SERVING.
func waitUntilHealthy(_ child: ChildProcess, socket: String, timeout: Duration = .seconds(30)) async throws {
    let deadline = ContinuousClock.now + timeout
    var configuration = RPCClientConfiguration(socketPath: socket)
    configuration.connectTimeout = .milliseconds(200)
    while ContinuousClock.now < deadline {
        if child.hasExited() { throw GatewayTestFailure("\(child.name) exited early; stderr:\n\(child.standardError)") }
        if access(socket, F_OK) == 0 {
            let client = RPCClient(configuration: configuration)
            let response = try? await client.unary(
                HealthV1.Health.check, HealthV1.HealthCheckRequest(), options: RPCCallOptions(timeout: .milliseconds(500)))
            await client.close()
            if response != nil { return }
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw GatewayTestFailure("\(child.name) did not answer on \(socket) within \(timeout); stderr:\n\(child.standardError)")
}
