import ChatPanelTesting
import ChatPanelSystem
import Foundation
import Testing

/// The systemd units in `deploy/`: `systemd-analyze verify` accepts every one of them without
/// a warning, and `systemd-analyze security --offline=yes` rates every service 2.0 or lower.
///
/// The units name `/usr/local/bin/chatpaneld`; like `deploy/install.sh`, the test rewrites that
/// to where the binary really is (the build folder), because `verify` checks that it exists.
@Suite(.timeLimit(.minutes(2)))
struct DeploymentUnitTests {
    /// `deploy/`, found from this file's place in the repository.
    static let deployDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy").path

    static let systemdAnalyze = "/usr/bin/systemd-analyze"

    /// The unit files of `deploy/`.
    static func unitNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: deployDirectory)
            .filter { $0.hasSuffix(".service") || $0.hasSuffix(".socket") || $0.hasSuffix(".target") }
            .sorted()
    }

    /// Copies the units into `directory` with the binary path rewritten.
    static func installUnits(into directory: String) throws -> [String] {
        let names = try unitNames()
        for name in names {
            let text = try String(contentsOfFile: "\(deployDirectory)/\(name)", encoding: .utf8)
            try text.replacingOccurrences(of: "/usr/local/bin/", with: "\(Binaries.directory)/")
                .write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
        }
        return names
    }

    /// Runs `systemd-analyze` with `arguments` in `directory` (through `ChildProcess`: no
    /// descriptor of this test process reaches it); its exit status and everything it printed.
    static func analyze(_ arguments: [String], in directory: String, log: String) async throws -> (status: Int32, output: String) {
        // systemd-analyze resolves unit names against its working directory: run it from there.
        let child = try ChildProcess.spawn(systemdAnalyze, arguments, logPrefix: "\(directory)/\(log)", workingDirectory: directory)
        defer { child.kill() }
        guard let ended = try await child.waitForExit(timeout: .seconds(60)) else {
            throw TestSupportFailure("systemd-analyze \(arguments.joined(separator: " ")) did not finish in 60 s")
        }
        let status: Int32 = if case .exited(let code) = ended { code } else { -1 }
        return (status, child.standardOutput + child.standardError)
    }

    @Test func deployHasASocketAndAServicePerProcessAndATarget() throws {
        let names = try Self.unitNames()
        for process in ["clients", "tasks", "orders", "insights", "gateway"] {
            #expect(names.contains("chatpanel-\(process).service"))
            #expect(names.contains("chatpanel-\(process).socket"))
        }
        #expect(names.contains("chatpanel.target"))
    }

    @Test func systemdAnalyzeVerifyAcceptsEveryUnitWithoutAWarning() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.systemdAnalyze), "systemd-analyze is missing (make deps installs systemd)")
        try #require(FileManager.default.isExecutableFile(atPath: Binaries.daemon), "build chatpaneld first")
        try await withTemporaryDirectory { directory in
            let names = try Self.installUnits(into: directory)
            let result = try await Self.analyze(["verify", "--man=no"] + names, in: directory, log: "verify")
            #expect(result.status == 0, "systemd-analyze verify failed:\n\(result.output)")
            #expect(
                result.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "systemd-analyze verify warned:\n\(result.output)")
        }
    }

    @Test func everyServiceIsRatedTwoOrLower() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.systemdAnalyze), "systemd-analyze is missing (make deps installs systemd)")
        try await withTemporaryDirectory { directory in
            let services = try Self.installUnits(into: directory).filter { $0.hasSuffix(".service") }
            #expect(services.count == 6)
            for service in services {
                let result = try await Self.analyze(["security", "--offline=yes", "--no-pager", service], in: directory, log: service)
                #expect(result.status == 0, "\(service):\n\(result.output)")
                let level = try #require(
                    Self.exposureLevel(in: result.output), "no overall exposure level for \(service):\n\(result.output)")
                #expect(level <= 2.0, "\(service) is rated \(level)")
            }
        }
    }

    /// The number in "Overall exposure level for x.service: 0.4 SAFE".
    static func exposureLevel(in output: String) -> Double? {
        guard let line = output.split(separator: "\n").last(where: { $0.contains("Overall exposure level") }),
            let colon = line.lastIndex(of: ":")
        else { return nil }
        return line[line.index(after: colon)...].split(separator: " ").first.flatMap { Double($0) }
    }

    @Test func exposureLevelIsReadFromTheSummaryLine() {
        #expect(Self.exposureLevel(in: "…\n→ Overall exposure level for chatpanel-tasks.service: 0.4 SAFE 😀\n") == 0.4)
        #expect(Self.exposureLevel(in: "→ Overall exposure level for x.service: 9.6 UNSAFE 😨") == 9.6)
        #expect(Self.exposureLevel(in: "nothing here") == nil)
    }
}
