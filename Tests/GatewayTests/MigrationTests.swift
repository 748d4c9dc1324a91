import ChatPanelProto
import ChatPanelStore
import ChatPanelTesting
import GRDB
import Testing

@testable import Gateway

/// The gateway's shipped migrations are never edited: the schema they build is pinned here, so
/// a change to a shipped migration's SQL fails this test (a new migration changes the pin on purpose).
@Suite("Gateway: migrations")
struct MigrationTests {
    @Test("the migrations build the pinned schema, in the pinned order")
    func schemaIsPinned() async throws {
        try await withTemporaryDirectory { directory in
            let store = try GatewayStore(path: "\(directory)/gateway.sqlite")
            let schema = try await store.database.read { db in
                try Row.fetchAll(
                    db,
                    sql:
                        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('layout', 'settings', 'merge_workflow', 'merge_workflow_step') AND sql IS NOT NULL ORDER BY name"
                ).map { row in "\(row["type"] as String) \(row["name"] as String): \((row["sql"] as String?) ?? "")" }
            }
            #expect(schema == Self.pinnedSchema, "\(schema.joined(separator: "\n"))")
            let identifiers = try await store.database.read { db in
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations WHERE identifier NOT LIKE 'store.%' ORDER BY rowid")
            }
            #expect(
                identifiers == [
                    "gateway.0001.layouts", "gateway.0002.settings", "gateway.0003.merge-workflows", "gateway.0004.merge-workflow-retries",
                ])
        }
    }

    @Test("shipped migrations are unchanged (each step's SQL fingerprint is pinned)")
    func shippedMigrationsAreUnchanged() {
        #expect(
            GatewayStore.migrations.manifest == [
                "gateway.0001.layouts 798d93f9d1738853",
                "gateway.0002.settings c0d0ae9aa27093e1",
                "gateway.0003.merge-workflows af08f3d40ed208cc",
                "gateway.0004.merge-workflow-retries 9bc56513da78a369",
            ])
    }

    /// `sqlite_master` of the gateway's tables after every migration, sorted by name.
    static let pinnedSchema: [String] = [
        "table layout: CREATE TABLE layout (\n    manager_id INTEGER PRIMARY KEY NOT NULL,\n    version INTEGER NOT NULL,\n    widgets BLOB NOT NULL,\n    updated_at_ms INTEGER NOT NULL\n)",
        "table merge_workflow: CREATE TABLE merge_workflow (\n    id TEXT PRIMARY KEY NOT NULL,\n    request_id TEXT UNIQUE,\n    survivor_client_id INTEGER NOT NULL,\n    merged_client_id INTEGER NOT NULL,\n    manager_id INTEGER NOT NULL,\n    caller BLOB NOT NULL,\n    state INTEGER NOT NULL,\n    created_at_ms INTEGER NOT NULL,\n    updated_at_ms INTEGER NOT NULL\n, reason TEXT NOT NULL DEFAULT '', next_attempt_at_ms INTEGER NOT NULL DEFAULT 0, gave_up INTEGER NOT NULL DEFAULT 0)",
        "index merge_workflow_running: CREATE INDEX merge_workflow_running ON merge_workflow(state) WHERE state = 1",
        "table merge_workflow_step: CREATE TABLE merge_workflow_step (\n    workflow_id TEXT NOT NULL REFERENCES merge_workflow(id),\n    position INTEGER NOT NULL,\n    name TEXT NOT NULL,\n    done INTEGER NOT NULL DEFAULT 0,\n    attempts INTEGER NOT NULL DEFAULT 0,\n    last_error TEXT NOT NULL DEFAULT '',\n    PRIMARY KEY (workflow_id, position)\n) WITHOUT ROWID",
        "index merge_workflow_unfinished: CREATE INDEX merge_workflow_unfinished ON merge_workflow(state) WHERE state IN (1, 4)",
        "table settings: CREATE TABLE settings (\n    id INTEGER PRIMARY KEY CHECK (id = 1),\n    tasks_widget_enabled INTEGER NOT NULL,\n    summary_bot_enabled INTEGER NOT NULL,\n    site_chat_enabled INTEGER NOT NULL,\n    updated_at_ms INTEGER NOT NULL\n)",
    ]
}
