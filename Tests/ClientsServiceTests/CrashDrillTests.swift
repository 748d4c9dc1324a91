import ChatPanelTesting
import Testing

/// The kill drill on the clients service, a few cycles (`chatpanel-bench crash` runs 1 000):
/// tags created with request ids while `chatpaneld clients` is killed with SIGKILL; after each
/// restart every acknowledged tag exists exactly once, retries answer the first answer, and
/// the database passes `PRAGMA integrity_check`.
@Suite(.timeLimit(.minutes(3)))
struct ClientsCrashDrillTests {
    @Test func acknowledgedTagsSurviveKills() async throws {
        try await withTemporaryDirectory { dir in
            let report = try await CrashDrill.run(CrashDrill.clients, cycles: 5, daemon: Binaries.daemon, directory: dir)
            #expect(report.cycles == 5)
            #expect(report.acknowledged > 0, "\(report)")
            #expect(report.wrongCounts.isEmpty, "\(report): \(report.wrongCounts)")
            #expect(report.wrongReplays.isEmpty, "\(report): \(report.wrongReplays)")
            #expect(report.integrity == ["ok"], "\(report)")
        }
    }
}
