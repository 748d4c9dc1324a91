public import GRDB

/// Clients merged into others, as the services that hold records of clients keep them: a
/// `client_move` table keyed by `from_client_id`, naming the client its records went to in
/// `to_client_id` (each service's own migration makes it, with whatever else it counts). A
/// merged client's id names its survivor in reads and writes alike.
public enum ClientMoves {
    /// The most moves an id is followed through (a survivor merged on in turn). A service refuses
    /// a move into a client merged away, so a chain never loops.
    public static let longestChain = 16

    /// The client `clientID` was moved into, if it was.
    public static func destination(of clientID: Int64, _ db: Database) throws -> Int64? {
        guard let row = try db.positionalRow(sql: "SELECT to_client_id FROM client_move WHERE from_client_id = ?", [clientID])
        else { return nil }
        let to: Int64 = row[0]
        return to
    }

    /// The client that holds `clientID`'s records now: the one it was moved into, following
    /// that one's move in turn, or `clientID` itself (0 stays 0: no client).
    public static func survivor(of clientID: Int64, _ db: Database) throws -> Int64 {
        guard clientID > 0 else { return clientID }
        var current = clientID
        for _ in 0..<longestChain {
            guard let next = try destination(of: current, db) else { break }
            current = next
        }
        return current
    }
}
