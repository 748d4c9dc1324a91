import Foundation

/// A helper process of a benchmark, stopped with SIGTERM (then SIGKILL) when done.
final class BenchProcess {
    let process: Process

    private init(process: Process) {
        self.process = process
    }

    /// Starts `path` with `arguments`; its output goes to this process's stderr.
    static func start(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> BenchProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = FileHandle.standardError
        try process.run()
        return BenchProcess(process: process)
    }

    /// Runs `path` to completion and returns its standard output.
    static func output(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Stops the process: SIGTERM, then SIGKILL after `grace` (two seconds by default).
    func stop(grace: Duration = .seconds(2)) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(Double(grace.components.seconds))
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
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
