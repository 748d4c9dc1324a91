import ChatPanelStore
import InsightsService
import Testing

/// Shipped migrations are frozen: each one's SQL is pinned by its fingerprint, so editing a
/// shipped migration fails here (add a new migration instead, and its line below).
@Suite struct MigrationTests {
    @Test func shippedMigrationsAreUnchanged() {
        #expect(
            InsightsStore.migrations.manifest == [
                "insights.0001.messages 9515219705423b05",
                "insights.0002.summaries 8f3c624a3aad1874",
                "insights.0003.page-views 2a53a3c138be0451",
                "insights.0004.visit-counts 5462abb34bdd2dcc",
                "insights.0005.page-view-utm 894eed2604934c1d",
                "insights.0006.visitor-clients ed7ceced3115c671",
                "insights.0007.client-moves fb3ec9d73862345b",
            ])
    }
}
