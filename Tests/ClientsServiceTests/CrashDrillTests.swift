import ChatPanelTesting
import Testing

/// The kill drill on the clients service, a few cycles (`chatpanel-bench crash` runs 1 000):
/// tags created with request ids while `chatpaneld clients` is killed with SIGKILL; after each
/// restart every acknowledged tag exists exactly once, retries answer the first answer, and
/// the database passes `PRAGMA integrity_check`.
@Suite(.timeLimit(.minutes(3)))
struct ClientsCrashDrillTests {
    @Test func acknowledgedTagsSurviveKills() async throws {
        let report = try await CrashDrill.drill(CrashDrill.clients, cycles: 5)
        #expect(report.cycles == 5)
        #expect(report.acknowledged > 0, "\(report)")
        #expect(report.passed, "\(report): \(report.wrongOnes)")
    }
}
