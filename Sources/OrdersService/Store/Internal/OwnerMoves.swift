import ChatPanelRPC
import ChatPanelStore
import GRDB

/// The record of owners (dialogs, visitors, merged clients) moved into clients.
enum OwnerMoves {
    /// The owner that holds `owner`'s records now: the client it was moved into (following
    /// merges), or `owner` itself.
    static func resolve(_ owner: Owner, _ db: Database) throws -> Owner {
        var current = owner
        for _ in 0..<16 {
            guard let row = try db.positionalRow(sql: "SELECT to_client_id FROM owner_move WHERE from_owner = ?", [current.key])
            else { return current }
            let next: Int64 = row[0]
            current = .client(next)
        }
        return current
    }
}
