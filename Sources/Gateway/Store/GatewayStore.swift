import ChatPanelProto
public import ChatPanelStore
import GRDB

/// The gateway's own database: managers' layouts, module settings, merge workflows.
public struct GatewayStore: Sendable {
    /// The underlying SQLite store.
    public let database: SQLiteStore
    /// The layouts and settings last read or written (the gateway is the database's only writer).
    let cache = ConfigurationCache()

    /// Opens and migrates the database at `path`.
    public init(path: String) throws {
        self.database = try SQLiteStore(path: path, migrations: Self.migrations)
    }

    /// The gateway's migrations. Shipped ones are never edited.
    static var migrations: StoreMigrations {
        var migrations = StoreMigrations()
        migrations.register(
            "gateway.0001.layouts", renamedFrom: ["v1.layouts"],
            sql: """
                    CREATE TABLE layout (
                        manager_id INTEGER PRIMARY KEY NOT NULL,
                        version INTEGER NOT NULL,
                        widgets BLOB NOT NULL,
                        updated_at_ms INTEGER NOT NULL
                    );
                    """)
        migrations.register(
            "gateway.0002.settings", renamedFrom: ["v1.settings"],
            sql: """
                    CREATE TABLE settings (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        tasks_widget_enabled INTEGER NOT NULL,
                        summary_bot_enabled INTEGER NOT NULL,
                        site_chat_enabled INTEGER NOT NULL,
                        updated_at_ms INTEGER NOT NULL
                    );
                    INSERT INTO settings VALUES (1, 1, 0, 0, 0);
                    """)
        migrations.register(
            "gateway.0003.merge-workflows", renamedFrom: ["v1.merge_workflows"],
            sql: """
                    CREATE TABLE merge_workflow (
                        id TEXT PRIMARY KEY NOT NULL,
                        request_id TEXT UNIQUE,
                        survivor_client_id INTEGER NOT NULL,
                        merged_client_id INTEGER NOT NULL,
                        manager_id INTEGER NOT NULL,
                        caller BLOB NOT NULL,
                        state INTEGER NOT NULL,
                        created_at_ms INTEGER NOT NULL,
                        updated_at_ms INTEGER NOT NULL
                    );
                    CREATE INDEX merge_workflow_running ON merge_workflow(state) WHERE state = 1;
                    CREATE TABLE merge_workflow_step (
                        workflow_id TEXT NOT NULL REFERENCES merge_workflow(id),
                        position INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        done INTEGER NOT NULL DEFAULT 0,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        last_error TEXT NOT NULL DEFAULT '',
                        PRIMARY KEY (workflow_id, position)
                    ) WITHOUT ROWID;
                    """)
        return migrations
    }
}
