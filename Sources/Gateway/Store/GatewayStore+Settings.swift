public import ChatPanelProto
import ChatPanelStore
import GRDB

extension GatewayStore {
    /// The module and chat settings.
    public func settings() async throws -> GatewayV1.Settings {
        let (known, generation) = cache.settings()
        if let known { return known }
        let settings = try await database.read { db in try Self.fetchSettings(db) }
        cache.offer(settings, readAt: generation)
        return settings
    }

    private static func fetchSettings(_ db: Database) throws -> GatewayV1.Settings {
        let row = try Row.fetchOne(db, sql: "SELECT * FROM settings WHERE id = 1")!
        var settings = GatewayV1.Settings()
        settings.tasksWidgetEnabled = row["tasks_widget_enabled"]
        settings.summaryBotEnabled = row["summary_bot_enabled"]
        settings.siteChatEnabled = row["site_chat_enabled"]
        return settings
    }

    /// Applies a change to the module and chat settings (the settings it does not carry keep
    /// their value) and returns them all.
    public func updateSettings(_ change: SettingsChange) async throws -> GatewayV1.Settings {
        let cache = self.cache
        do {
            return try await database.write { db in
                let settings = change.applied(to: try Self.fetchSettings(db))
                try db.execute(
                    sql: """
                        UPDATE settings SET tasks_widget_enabled = ?, summary_bot_enabled = ?, site_chat_enabled = ?, updated_at_ms = ?
                        WHERE id = 1
                        """,
                    arguments: [settings.tasksWidgetEnabled, settings.summaryBotEnabled, settings.siteChatEnabled, self.now()])
                // On the writer queue, so updates reach the cache in commit order.
                cache.replace(settings)
                return settings
            }
        } catch {
            cache.forgetSettings()
            throw error
        }
    }
}
