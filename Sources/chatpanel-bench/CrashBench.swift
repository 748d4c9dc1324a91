import ArgumentParser
import ChatPanelTesting
import Foundation

/// `chatpanel-bench crash`: the kill drill at length (see `CrashDrill`): writes through the
/// tasks, clients, orders and insights services (with request ids; insights' feed by view id)
/// while killing them with SIGKILL at random moments, then checks that every acknowledged write
/// exists exactly once, that retries answer the first answer, and that the database passes
/// `PRAGMA integrity_check`.
struct CrashBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash", abstract: "Kills writing services at random moments and checks that no acknowledged write is lost.")

    @Option(help: "Kill cycles per service.") var cycles = 1000
    @Option(help: "The chatpaneld binary (default: the one beside this benchmark).") var daemon: String?
    @Option(help: "Services to drill: tasks, clients, orders, insights.") var services: [String] = CrashDrill.services

    func run() async throws {
        var failed = false
        for name in services {
            guard let workload = CrashDrill.workload(named: name) else {
                throw ValidationError("no drill for service \(name) (\(CrashDrill.services.joined(separator: ", ")))")
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cp-crash-\(name)-\(getpid())").path
            try? FileManager.default.removeItem(atPath: directory)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let started = ContinuousClock.now
            let report = try await CrashDrill.run(workload, cycles: cycles, daemon: daemon ?? siblingExecutable("chatpaneld"), directory: directory) { print($0) }
            print("\(report) (\(started.duration(to: .now)))")
            if !report.passed {
                failed = true
                print("  \(report.wrongOnes)")
            }
        }
        if failed { throw ExitCode.failure }
    }
}
