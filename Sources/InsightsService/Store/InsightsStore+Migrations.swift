public import ChatPanelStore

extension InsightsStore {
    /// The schema, one frozen migration per change. Never edit a shipped migration: add one.
    ///
    /// Indexes serve the service's reads without scanning:
    /// - `message_by_dialog (dialog_id, sent_at_ms, id)`: a dialog's messages newest first, for
    ///   the summary's token budget;
    /// - `page_view_by_visitor (visitor_id, viewed_at_ms)` and `page_view_by_client (client_id,
    ///   viewed_at_ms)`: a visitor's or a client's views in time order, split into visits;
    /// - `page_view_with_ip (viewed_at_ms) WHERE ip IS NOT NULL`: the views whose IP address is
    ///   still kept, for the retention sweep;
    /// - `visit_count (subject)`: a visitor's or a client's visits, read by the Visit widget
    ///   instead of every view's time;
    /// - `client_move (from_client_id)`: the client a merged client's records went to.
    public static var migrations: StoreMigrations {
        var migrations = StoreMigrations()
        // direction: 1 in (from the customer), 2 out (InsightsV1.Direction). A dialog row exists
        // once the dialog has a message or a link; message_count counts its messages.
        migrations.register(
            "insights.0001.messages",
            sql: """
                CREATE TABLE message (
                    id INTEGER PRIMARY KEY,
                    message_id TEXT NOT NULL UNIQUE,
                    dialog_id TEXT NOT NULL,
                    direction INTEGER NOT NULL CHECK (direction IN (1, 2)),
                    author TEXT NOT NULL,
                    text TEXT NOT NULL,
                    sent_at_ms INTEGER NOT NULL
                );
                CREATE INDEX message_by_dialog ON message (dialog_id, sent_at_ms, id);
                CREATE TABLE dialog (
                    dialog_id TEXT PRIMARY KEY,
                    client_id INTEGER,
                    message_count INTEGER NOT NULL DEFAULT 0
                ) WITHOUT ROWID;
                CREATE INDEX dialog_by_client ON dialog (client_id) WHERE client_id IS NOT NULL;
                """)
        // One summary per dialog, replaced when refreshed; body is the encoded InsightsV1.Summary.
        migrations.register(
            "insights.0002.summaries",
            sql: """
                CREATE TABLE summary (
                    dialog_id TEXT PRIMARY KEY,
                    client_id INTEGER,
                    summarizer INTEGER NOT NULL,
                    period_start_ms INTEGER NOT NULL,
                    period_end_ms INTEGER NOT NULL,
                    messages_used INTEGER NOT NULL,
                    tokens_used INTEGER NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    created_by_id INTEGER NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE INDEX summary_by_client ON summary (client_id) WHERE client_id IS NOT NULL;
                """)
        // ip is NULL once the retention passed (or when none is kept); country_code and city
        // are resolved when the view is recorded.
        migrations.register(
            "insights.0003.page-views",
            sql: """
                CREATE TABLE page_view (
                    id INTEGER PRIMARY KEY,
                    view_id TEXT NOT NULL UNIQUE,
                    visitor_id TEXT NOT NULL,
                    dialog_id TEXT NOT NULL,
                    client_id INTEGER,
                    url TEXT NOT NULL,
                    title TEXT NOT NULL,
                    referrer TEXT NOT NULL,
                    user_agent TEXT NOT NULL,
                    ip TEXT,
                    country_code TEXT NOT NULL,
                    city TEXT NOT NULL,
                    language TEXT NOT NULL,
                    viewed_at_ms INTEGER NOT NULL
                );
                CREATE INDEX page_view_by_visitor ON page_view (visitor_id, viewed_at_ms);
                CREATE INDEX page_view_by_client ON page_view (client_id, viewed_at_ms) WHERE client_id IS NOT NULL;
                CREATE INDEX page_view_with_ip ON page_view (viewed_at_ms) WHERE ip IS NOT NULL;
                """)
        // The visits of each visitor ('visitor:<id>') and client ('client:<id>'), kept as views
        // are recorded (VisitCount); counted here from the views already stored: a view starts
        // a visit when it comes 30 minutes (1 800 000 ms) or more after the one before it.
        migrations.register(
            "insights.0004.visit-counts",
            sql: """
                CREATE TABLE visit_count (
                    subject TEXT PRIMARY KEY,
                    visits INTEGER NOT NULL,
                    last_start_ms INTEGER NOT NULL,
                    last_view_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                INSERT INTO visit_count (subject, visits, last_start_ms, last_view_ms)
                SELECT subject, count(start), max(start), max(viewed_at_ms) FROM (
                    SELECT 'visitor:' || visitor_id AS subject, viewed_at_ms,
                        CASE WHEN viewed_at_ms - lag(viewed_at_ms) OVER (PARTITION BY visitor_id ORDER BY viewed_at_ms) < 1800000
                            THEN NULL ELSE viewed_at_ms END AS start
                    FROM page_view
                    UNION ALL
                    SELECT 'client:' || client_id, viewed_at_ms,
                        CASE WHEN viewed_at_ms - lag(viewed_at_ms) OVER (PARTITION BY client_id ORDER BY viewed_at_ms) < 1800000
                            THEN NULL ELSE viewed_at_ms END
                    FROM page_view WHERE client_id IS NOT NULL)
                GROUP BY subject;
                """)
        // Each view's utm_* tags, read from its address once, when it is recorded, instead of on
        // every panel that shows its visit (an address parsed cost about 13 000 instructions):
        // '' for a tag the address does not have. NULL in all five for a view recorded before
        // this migration: its tags are read from its address when it is shown.
        migrations.register(
            "insights.0005.page-view-utm",
            sql: """
                ALTER TABLE page_view ADD COLUMN utm_source TEXT;
                ALTER TABLE page_view ADD COLUMN utm_medium TEXT;
                ALTER TABLE page_view ADD COLUMN utm_campaign TEXT;
                ALTER TABLE page_view ADD COLUMN utm_term TEXT;
                ALTER TABLE page_view ADD COLUMN utm_content TEXT;
                """)
        // The client each visitor is known as (the newest view that named a client), so that
        // the visitor's views naming no client, those before it logged in among them, are the
        // client's too (the client's visit had lost its landing page, tags and place); and the
        // visits counted again, now that a visit is a run of views with no gap longer than 30
        // minutes (a view exactly 30 minutes, 1 800 000 ms, after the one before no longer
        // starts one).
        migrations.register(
            "insights.0006.visitor-clients",
            sql: """
                CREATE TABLE visitor_client (
                    visitor_id TEXT PRIMARY KEY,
                    client_id INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX visitor_client_by_client ON visitor_client (client_id);
                INSERT INTO visitor_client (visitor_id, client_id)
                SELECT visitor_id, client_id FROM (
                    SELECT visitor_id, client_id,
                        row_number() OVER (PARTITION BY visitor_id ORDER BY viewed_at_ms DESC, id DESC) AS newest
                    FROM page_view WHERE client_id IS NOT NULL)
                WHERE newest = 1;
                UPDATE page_view SET client_id = (SELECT l.client_id FROM visitor_client l WHERE l.visitor_id = page_view.visitor_id)
                WHERE client_id IS NULL AND visitor_id IN (SELECT visitor_id FROM visitor_client);
                DELETE FROM visit_count;
                INSERT INTO visit_count (subject, visits, last_start_ms, last_view_ms)
                SELECT subject, count(start), max(start), max(viewed_at_ms) FROM (
                    SELECT 'visitor:' || visitor_id AS subject, viewed_at_ms,
                        CASE WHEN viewed_at_ms - lag(viewed_at_ms) OVER (PARTITION BY visitor_id ORDER BY viewed_at_ms) <= 1800000
                            THEN NULL ELSE viewed_at_ms END AS start
                    FROM page_view
                    UNION ALL
                    SELECT 'client:' || client_id, viewed_at_ms,
                        CASE WHEN viewed_at_ms - lag(viewed_at_ms) OVER (PARTITION BY client_id ORDER BY viewed_at_ms) <= 1800000
                            THEN NULL ELSE viewed_at_ms END
                    FROM page_view WHERE client_id IS NOT NULL)
                GROUP BY subject;
                """)
        // One row per client merged into another (MoveClientRecords): a merged client's id, in
        // a page view, a link or a read, is the survivor's (following a survivor merged on in
        // turn). Moves made before this migration were not recorded.
        migrations.register(
            "insights.0007.client-moves",
            sql: """
                CREATE TABLE client_move (
                    from_client_id INTEGER PRIMARY KEY,
                    to_client_id INTEGER NOT NULL,
                    moved_at_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        return migrations
    }
}
