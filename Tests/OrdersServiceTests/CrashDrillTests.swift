import ChatPanelTesting
import Testing

/// The kill drill, a few cycles (`chatpanel-bench crash --services orders` runs 1 000): the real
/// `chatpaneld orders` is killed with SIGKILL while orders are created with request ids; after
/// each restart every acknowledged order exists exactly once, lost answers are applied once by
/// their retry, retries answer the first order, and the database passes `PRAGMA integrity_check`.
@Suite(.timeLimit(.minutes(3)))
struct OrdersCrashDrillTests {
    @Test func acknowledgedOrdersSurviveKills() async throws {
        let report = try await CrashDrill.drill(CrashDrill.orders, cycles: 5)
        #expect(report.cycles == 5)
        #expect(report.acknowledged > 0, "\(report)")
        #expect(report.passed, "\(report): \(report.wrongOnes)")
    }
}
