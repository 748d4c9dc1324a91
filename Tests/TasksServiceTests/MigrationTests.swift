import ChatPanelStore
import TasksService
import Testing

/// Shipped migrations are frozen: each one's SQL is pinned by its fingerprint, so editing a
/// shipped migration fails here (add a new migration instead, and its line below).
@Suite struct MigrationTests {
    @Test func shippedMigrationsAreUnchanged() {
        #expect(
            TasksStore.migrations.manifest == [
                "tasks.0001.tasks 04585db81d90cb5d",
                "tasks.0002.notes 9a5cd68fe924b9bf",
                "tasks.0003.client-moves 613e5d06688eaee6",
            ])
    }
}
