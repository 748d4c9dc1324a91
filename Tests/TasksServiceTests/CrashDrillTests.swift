import ChatPanelTesting
import Testing

/// The kill drill, a few cycles (`chatpanel-bench crash` runs 1 000): the real `chatpaneld
/// tasks` is killed with SIGKILL while notes are written with request ids; after each restart
/// every acknowledged note exists exactly once, lost answers are applied once by their retry,
/// retries answer the first answer, and the database passes `PRAGMA integrity_check`.
@Suite(.timeLimit(.minutes(3)))
struct TasksCrashDrillTests {
    @Test func acknowledgedNotesSurviveKills() async throws {
        let report = try await CrashDrill.drill(CrashDrill.tasks, cycles: 5)
        #expect(report.cycles == 5)
        #expect(report.acknowledged > 0, "\(report)")
        #expect(report.passed, "\(report): \(report.wrongOnes)")
    }
}
