import ChatPanelStore
import ClientsService
import Testing

/// Shipped migrations are frozen: each one's SQL is pinned by its fingerprint, so editing a
/// shipped migration fails here (add a new migration instead, and its line below).
@Suite struct MigrationTests {
    @Test func shippedMigrationsAreUnchanged() {
        #expect(
            ClientsStore.migrations.manifest == [
                "clients.0001.initial f042aaff479787d5",
                "clients.0002.merge-dropped-phones c80a2fc04da7d93a",
                "clients.0003.card-reads-in-order fb1707aa03db7165",
                "clients.0004.field-catalog-version 17c86b35529b896b",
            ])
    }
}
