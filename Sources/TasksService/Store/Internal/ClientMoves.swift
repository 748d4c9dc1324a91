import ChatPanelRPC
import GRDB

/// The record of clients whose tasks and notes were moved into another client.
enum ClientMoves {
    /// The client `clientID` was moved into, if it was.
    static func destination(of clientID: Int64, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT to_client_id FROM client_move WHERE from_client_id = ?"), arguments: [clientID])
    }

    /// Throws FAILED_PRECONDITION when `clientID` was merged into another client: it takes no
    /// new records.
    static func requireNotMovedAway(_ clientID: Int64, _ db: Database) throws {
        if let destination = try destination(of: clientID, db) {
            throw RPCError.failedPrecondition("client \(clientID) was merged into client \(destination); use that client")
        }
    }
}
