public import ChatPanelProto
import ChatPanelStore
import GRDB

extension ClientsStore {
    /// The service's settings (CLIENT-4).
    public func settings() async throws -> ClientsV1.Settings {
        try await database.read { db in try Self.settings(db) }
    }

    /// Replaces the settings.
    public func updateSettings(_ settings: ClientsV1.Settings, by mutation: Mutation) async throws -> ClientsV1.Settings {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.updateSettings.path) { db in
            try db.run(
                "INSERT INTO setting (key, value) VALUES ('auto_save_clients', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [settings.autoSaveClients ? "true" : "false"])
            return try Self.settings(db)
        }
    }

    /// The settings, inside a transaction (defaults for keys never set).
    static func settings(_ db: Database) throws -> ClientsV1.Settings {
        var settings = ClientsV1.Settings()
        settings.autoSaveClients = try db.value(String.self, "SELECT value FROM setting WHERE key = 'auto_save_clients'") == "true"
        return settings
    }
}
