public import ChatPanelStore
import GRDB

extension TasksStore {
    /// The schema, one frozen migration per change. Never edit a shipped migration: add one.
    ///
    /// Indexes serve the widget's calls without scanning or sorting a client's records:
    /// - `task_open_by_deadline (client_id, status, deadline_ms, id)`: "All", keyset paging in
    ///   deadline order;
    /// - `task_mine_by_deadline (client_id, author_id, status, deadline_ms, id) WHERE
    ///   author_id = performer_id`: "Mine" (author and performer are the caller);
    /// - `task_completed_by_time (client_id, status, completed_at_ms)`: tasks completed since
    ///   the panel was opened;
    /// - `note_by_client_newest (client_id, created_at_ms DESC, id DESC)`: notes newest first.
    public static var migrations: StoreMigrations {
        var migrations = StoreMigrations()
        // deadline_ms is the deadline's sort key: the instant in UTC ms, or 2^63-1 for
        // "no deadline" (listed last); deadline_time_zone is '' then.
        // status: 1 open, 2 completed (TasksV1.TaskStatus).
        migrations.register(
            "tasks.0001.tasks", renamedFrom: ["tasks.v1.tasks"],
            sql: """
                CREATE TABLE task (
                    id INTEGER PRIMARY KEY,
                    client_id INTEGER,
                    order_number TEXT,
                    title TEXT NOT NULL,
                    text TEXT NOT NULL,
                    deadline_ms INTEGER NOT NULL,
                    deadline_time_zone TEXT NOT NULL,
                    performer_id INTEGER NOT NULL,
                    author_id INTEGER NOT NULL,
                    status INTEGER NOT NULL CHECK (status IN (1, 2)),
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL,
                    completed_at_ms INTEGER,
                    completed_by_id INTEGER,
                    version INTEGER NOT NULL,
                    CHECK ((client_id IS NULL) <> (order_number IS NULL))
                );
                CREATE INDEX task_open_by_deadline ON task (client_id, status, deadline_ms, id);
                CREATE INDEX task_mine_by_deadline ON task (client_id, author_id, status, deadline_ms, id)
                    WHERE author_id = performer_id;
                CREATE INDEX task_completed_by_time ON task (client_id, status, completed_at_ms);
                CREATE INDEX task_by_order ON task (order_number) WHERE order_number IS NOT NULL;
                """)
        // length: the text's length in characters (grapheme clusters).
        migrations.register(
            "tasks.0002.notes", renamedFrom: ["tasks.v1.notes"],
            sql: """
                CREATE TABLE note (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    client_id INTEGER NOT NULL,
                    author_id INTEGER NOT NULL,
                    text TEXT NOT NULL,
                    length INTEGER NOT NULL,
                    created_at_ms INTEGER NOT NULL
                );
                CREATE INDEX note_by_client_newest ON note (client_id, created_at_ms DESC, id DESC);
                """)
        // One row per client whose records were moved into another (a merge): the totals
        // moved, and a guard against new records for the client that is gone.
        migrations.register(
            "tasks.0003.client-moves", renamedFrom: ["tasks.v1.client_moves"],
            sql: """
                CREATE TABLE client_move (
                    from_client_id INTEGER PRIMARY KEY,
                    to_client_id INTEGER NOT NULL,
                    tasks_moved INTEGER NOT NULL,
                    notes_moved INTEGER NOT NULL,
                    first_moved_at_ms INTEGER NOT NULL,
                    last_moved_at_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        return migrations
    }
}
