public import ChatPanelSystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A failure of a test-support helper (a child process, a temporary folder, a wait), saying what went wrong.
public struct TestSupportFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// How a child process ended.
public typealias Termination = Subprocess.Termination

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
        let stdoutPath = logPrefix + ".out"
        let stderrPath = logPrefix + ".err"
        let pid: Int32
        do {
            pid = try Subprocess.spawn(
                path, arguments, environment: environment, standardInput: .file(standardInput), standardOutput: .file(stdoutPath),
                standardError: .file(stderrPath), workingDirectory: workingDirectory)
        } catch {
            throw TestSupportFailure("\(error) (a ChatPanel binary is built by `swift build`)")
        }
        return ChildProcess(
            name: name ?? URL(fileURLWithPath: path).lastPathComponent, pid: pid, stdoutPath: stdoutPath, stderrPath: stderrPath)
    }

    /// Whether it has not been seen to exit yet.
    public var isRunning: Bool { poll() == nil }

    /// How it ended, when it has (reaps it without blocking).
    @discardableResult
    public func poll() -> Termination? {
        if let termination { return termination }
        guard let ended = Subprocess.poll(pid) else { return nil }
        termination = ended
        return ended
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

    /// How it ended, waiting without holding a thread (tests run on Swift's cooperative pool,
    /// two threads here: a blocking wait there stalls every other test's tasks). A process
    /// still running after `timeout` is killed and the wait fails.
    @discardableResult
    public func exit(within timeout: Duration = .seconds(120)) async throws -> Termination {
        if let ended = try await waitForExit(timeout: timeout) { return ended }
        kill()
        throw TestSupportFailure("\(name) (pid \(pid)) did not exit within \(timeout); killed")
    }

    /// Blocks until it exits; how it ended. From async code use ``exit(within:)``, which holds
    /// no thread while it waits.
    @discardableResult
    public func waitUntilExit() -> Termination {
        if let termination { return termination }
        let ended = Subprocess.wait(pid)
        termination = ended
        return ended
    }

    /// Kills it with SIGKILL (unless it already ended) and reaps it. Safe to call twice.
    public func kill() {
        guard termination == nil else { return }
        if poll() != nil { return }
        _ = Glibc.kill(pid, SIGKILL)
        termination = Subprocess.wait(pid)
    }

    /// Everything written to its standard output so far.
    public var standardOutput: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    /// Everything written to its standard error so far.
    public var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
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
