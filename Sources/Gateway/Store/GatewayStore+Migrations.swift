public import ChatPanelStore
import GRDB

extension GatewayStore {
    /// The gateway's migrations, in order. Shipped ones are never edited: a change is a new
    /// migration at the end.
    public static var migrations: StoreMigrations {
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
        migrations.register(
            "gateway.0004.merge-workflow-retries",
            sql: """
                ALTER TABLE merge_workflow ADD COLUMN reason TEXT NOT NULL DEFAULT '';
                ALTER TABLE merge_workflow ADD COLUMN next_attempt_at_ms INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE merge_workflow ADD COLUMN gave_up INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX merge_workflow_unfinished ON merge_workflow(state) WHERE state IN (1, 4);
                """)
        return migrations
    }
}
