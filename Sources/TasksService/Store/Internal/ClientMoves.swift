import ChatPanelRPC
import ChatPanelStore
import GRDB

/// The record of clients whose tasks and notes were moved into another client.
enum ClientMoves {
    /// The most moves a client id is followed through (a survivor merged on in turn): a merge
    /// is refused into a client merged away, so a chain never loops.
    static let longestChain = 16

    /// The client `clientID` was moved into, if it was.
    static func destination(of clientID: Int64, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT to_client_id FROM client_move WHERE from_client_id = ?"), arguments: [clientID])
    }

    /// The client that holds `clientID`'s tasks and notes now: the client it was moved into,
    /// following moves of that client in turn, or `clientID` itself. Reads resolve a merged
    /// client's id through it, as the clients service answers for the survivor.
    static func holder(of clientID: Int64, _ db: Database) throws -> Int64 {
        var current = clientID
        for _ in 0..<longestChain {
            guard let row = try db.positionalRow(sql: "SELECT to_client_id FROM client_move WHERE from_client_id = ?", [current])
            else { return current }
            current = row[0]
        }
        return current
    }

    /// Throws FAILED_PRECONDITION when `clientID` was merged into another client: it takes no
    /// new records.
    static func requireNotMovedAway(_ clientID: Int64, _ db: Database) throws {
        guard try destination(of: clientID, db) != nil else { return }
        // The client holding its records now, through later merges: the one to use.
        let holder = try holder(of: clientID, db)
        throw RPCError.failedPrecondition("client \(clientID) was merged into client \(holder); use that client")
    }
}
