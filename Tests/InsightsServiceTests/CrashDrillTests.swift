import ChatPanelTesting
import Testing

/// The kill drill, a few cycles (`chatpanel-bench crash --services insights` runs 1 000): the real
/// `chatpaneld insights` is killed with SIGKILL while the site tracker records page views; after
/// each restart every acknowledged view is stored exactly once, views whose answer was lost are
/// stored once by their retry, a retry says the view is stored, and the database passes `PRAGMA integrity_check`.
@Suite(.timeLimit(.minutes(3)))
struct InsightsCrashDrillTests {
    @Test func acknowledgedPageViewsSurviveKills() async throws {
        let report = try await CrashDrill.drill(CrashDrill.insights, cycles: 5)
        #expect(report.cycles == 5)
        #expect(report.acknowledged > 0, "\(report)")
        #expect(report.passed, "\(report): \(report.wrongOnes)")
    }
}
