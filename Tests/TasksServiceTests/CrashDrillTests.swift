import ChatPanelTesting
import Testing

/// The kill drill, a few cycles (`chatpanel-bench crash` runs 1 000): the real `chatpaneld
/// tasks` is killed with SIGKILL while notes are written with request ids; after each restart
/// every acknowledged note exists exactly once, lost answers are applied once by their retry,
/// retries answer the first answer, and the database passes `PRAGMA integrity_check`.
@Suite(.timeLimit(.minutes(3)))
struct TasksCrashDrillTests {
    @Test func acknowledgedNotesSurviveKills() async throws {
        try await withTemporaryDirectory { dir in
            let report = try await CrashDrill.run(CrashDrill.tasks, cycles: 5, daemon: Binaries.daemon, directory: dir)
            #expect(report.cycles == 5)
            #expect(report.acknowledged > 0, "\(report)")
            #expect(report.wrongCounts.isEmpty, "\(report): \(report.wrongCounts)")
            #expect(report.wrongReplays.isEmpty, "\(report): \(report.wrongReplays)")
            #expect(report.integrity == ["ok"], "\(report)")
        }
    }
}
