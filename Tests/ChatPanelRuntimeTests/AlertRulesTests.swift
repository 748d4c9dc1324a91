import ChatPanelTesting
import ChatPanelSystem
import Foundation
import Testing

/// The Prometheus alert rules in `deploy/prometheus`: `promtool check rules` accepts them and
/// `promtool test rules` proves each alert fires on the series that should raise it (process
/// down, breaker open, widget unavailable, disk filling, a failed job) and not before.
@Suite(.timeLimit(.minutes(2)))
struct AlertRulesTests {
    static let promtoolPath = "/usr/bin/promtool"
    static let directory = URL(fileURLWithPath: DeploymentUnitTests.deployDirectory).appendingPathComponent("prometheus").path

    private func promtool(_ arguments: [String], log: String) async throws -> (Termination?, String) {
        let process = try ChildProcess.spawn(Self.promtoolPath, arguments, logPrefix: log, workingDirectory: Self.directory)
        defer { process.kill() }
        let ended = try await process.waitForExit(timeout: .seconds(60))
        return (ended, process.standardOutput + process.standardError)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: promtoolPath), "needs Debian's prometheus (make deps)"))
    func theRulesAreValidAndEachAlertFires() async throws {
        try await withTemporaryDirectory { scratch in
            let (checked, checkOutput) = try await promtool(["check", "rules", "chatpanel-alerts.yml"], log: "\(scratch)/check")
            #expect(checked == .exited(0), "\(checkOutput)")
            #expect(checkOutput.contains("7 rules found"), "\(checkOutput)")
            let (tested, testOutput) = try await promtool(["test", "rules", "chatpanel-alerts.test.yml"], log: "\(scratch)/test")
            #expect(tested == .exited(0), "\(testOutput)")
        }
    }
}
