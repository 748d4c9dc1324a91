import ChatPanelTesting
import ChatPanelSystem
import Foundation
import Logging
import Testing

@testable import ChatPanelRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// Logging: `JournaldLogHandler` maps every `Logger.Level` to its syslog priority, and the real
/// `chatpaneld` writes `<N>label: message key=value` lines to stderr, filtered by `--log-level`.
@Suite(.timeLimit(.minutes(2)))
struct LoggingTests {
    /// Each level and the priority journald must file it at (syslog: 2 crit … 7 debug).
    static let expected: [(Logger.Level, Int)] = [
        (.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ]

    @Test(arguments: expected)
    func priorityOfEachLevel(level: Logger.Level, priority: Int) {
        #expect(JournaldLogHandler.priority(level) == priority)
    }

    @Test func everyLevelIsMappedAndSeverityNeverDecreases() {
        #expect(Set(Self.expected.map(\.0)) == Set(Logger.Level.allCases))
        let priorities = Logger.Level.allCases.sorted().map(JournaldLogHandler.priority)
        #expect(priorities.allSatisfy { (0...7).contains($0) })
        // A more severe level never gets a larger (less urgent) priority number.
        #expect(priorities == priorities.sorted(by: >), "\(priorities)")
    }

    @Test func handlerKeepsLabelLevelAndMetadata() {
        var handler = JournaldLogHandler(label: "clients", level: .warning)
        #expect(handler.label == "clients")
        #expect(handler.logLevel == .warning)
        #expect(JournaldLogHandler(label: "x").logLevel == .info)
        handler[metadataKey: "chatpanel.request_id"] = "r-1"
        #expect(handler[metadataKey: "chatpanel.request_id"] == "r-1")
        #expect(handler.metadata.count == 1)
        handler[metadataKey: "chatpanel.request_id"] = nil
        #expect(handler.metadata.isEmpty)
    }

    @Test func makeLoggerAppliesTheLevel() {
        let logger = ChatPanelProcess.makeLogger(name: "tasks", level: .error)
        #expect(logger.label == "tasks")
        #expect(logger.logLevel == .error)
        #expect(logger.handler is JournaldLogHandler)
    }

    // MARK: What the real daemon writes

    @Test func daemonWritesJournaldPrefixedLines() async throws {
        let lines = try await daemonLogLines(logLevel: "info")
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(line.wholeMatch(of: /<[0-7]>echo: \S.*/) != nil, "not a journald line: \(line)")
        }
        #expect(lines.contains { $0.hasPrefix("<5>echo: rpc.server.listening chatpanel.rpc.listener=path(\"") }, "\(lines)")
        #expect(lines.contains("<5>echo: process.ready"), "\(lines)")
        #expect(lines.contains("<5>echo: rpc.server.draining chatpanel.rpc.calls_in_flight=0"), "\(lines)")
        #expect(lines.contains("<5>echo: rpc.server.stopped"), "\(lines)")
    }

    @Test func daemonDropsLinesBelowItsLevel() async throws {
        // Everything the echo process logs in a start and stop is at notice: warning hides it all.
        let quiet = try await daemonLogLines(logLevel: "warning")
        #expect(quiet.allSatisfy { $0.hasPrefix("<4>") || $0.hasPrefix("<3>") || $0.hasPrefix("<2>") }, "\(quiet)")
        #expect(!quiet.contains("<5>echo: process.ready"))
    }

    /// Starts and stops `chatpaneld echo` at `logLevel`; returns its stderr lines.
    private func daemonLogLines(logLevel: String) async throws -> [String] {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/echo.sock"
            let daemon = try spawnEchoDaemon(directory: dir, socket: socket, arguments: ["--log-level", logLevel])
            defer { daemon.kill() }
            try await waitUntilConnectable(socket, while: daemon)
            // process.ready follows the listening line: when it is logged, wait for it, else
            // give the daemon the same moment to (not) write it.
            let deadline = ContinuousClock.now + (logLevel == "info" ? .seconds(20) : .milliseconds(300))
            while ContinuousClock.now < deadline, !daemon.standardError.contains("process.ready") {
                try await Task.sleep(for: .milliseconds(20))
            }
            daemon.send(SIGTERM)
            let ended = try await daemon.waitForExit(timeout: .seconds(20))
            #expect(ended == .exited(0), "\(ended.map(\.description) ?? "still running"); stderr:\n\(daemon.standardError)")
            return daemon.standardError.split(separator: "\n").map(String.init)
        }
    }
}
