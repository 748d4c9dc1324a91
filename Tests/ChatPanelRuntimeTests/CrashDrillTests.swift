import ChatPanelTesting
import Testing

/// The kill drill on every writing service, a few cycles each (`chatpanel-bench crash` runs
/// 1 000): the real `chatpaneld <service>` is killed with SIGKILL while writes go on (tasks'
/// notes, clients' tags and orders' drafts with request ids; insights' page views, idempotent
/// by view id); after each restart every acknowledged write exists exactly once, writes whose
/// answer was lost are applied once by their retry, retries answer the first answer, and the
/// database passes `PRAGMA integrity_check`.
@Suite(.timeLimit(.minutes(3)))
struct CrashDrillTests {
    @Test(arguments: CrashDrill.services)
    func acknowledgedWritesSurviveKills(_ service: String) async throws {
        let workload = try #require(CrashDrill.workload(named: service))
        let report = try await CrashDrill.drill(workload, cycles: 5)
        #expect(report.cycles == 5)
        #expect(report.acknowledged > 0, "\(report)")
        #expect(report.passed, "\(report): \(report.wrongOnes)")
    }
}
