import ChatPanelSystem
import Foundation

/// A helper process of a benchmark, stopped with SIGTERM (then SIGKILL) when done. Started with
/// `posix_spawn` (``Subprocess``), not Foundation's `Process`, which reads past a buffer's end.
final class BenchProcess {
    /// Its pid.
    let processIdentifier: Int32
    private var termination: Subprocess.Termination?

    private init(processIdentifier: Int32) {
        self.processIdentifier = processIdentifier
    }

    /// Starts `path` with `arguments` (and this process's environment unless given); its output
    /// goes to this process's stderr.
    static func start(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> BenchProcess {
        let pid = try Subprocess.spawn(
            path, arguments, environment: environment ?? ProcessInfo.processInfo.environment, standardOutput: .descriptor(2), standardError: .inherited)
        return BenchProcess(processIdentifier: pid)
    }

    /// Runs `path` to completion and returns its standard output.
    static func output(_ path: String, _ arguments: [String]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chatpanel-bench-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let pid = try Subprocess.spawn(
            path, arguments, environment: ProcessInfo.processInfo.environment, standardOutput: .file(file), standardError: .inherited)
        _ = Subprocess.wait(pid)
        return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }

    /// Blocks until it exits; how it ended.
    @discardableResult
    func waitUntilExit() -> Subprocess.Termination {
        if let termination { return termination }
        let ended = Subprocess.wait(processIdentifier)
        termination = ended
        return ended
    }

    /// Stops the process: SIGTERM, then SIGKILL after `grace` (two seconds by default).
    func stop(grace: Duration = .seconds(2)) {
        guard termination == nil else { return }
        if let ended = Subprocess.poll(processIdentifier) {
            termination = ended
            return
        }
        kill(processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if let ended = Subprocess.poll(processIdentifier) {
                termination = ended
                return
            }
            usleep(10_000)
        }
        kill(processIdentifier, SIGKILL)
        waitUntilExit()
    }
}

/// The path of an executable built next to this one.
func siblingExecutable(_ name: String) -> String {
    let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    return own.deletingLastPathComponent().appendingPathComponent(name).path
}

/// Waits until a socket file exists (at most `timeout`, 10 s by default).
func waitForSocket(_ path: String, timeout: Duration = .seconds(10)) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if FileManager.default.fileExists(atPath: path) { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
}
