import ChatPanelRPC
import ChatPanelStore
import GRDB

/// The clients merged into others (`client_move`, written by MoveClientRecords): a merged
/// client's id names the survivor, in a page view, a dialog's link and a read alike.
enum ClientMoves {
    /// The most moves an id is followed through (a survivor merged on in turn). A move into a
    /// client merged away is refused, so a chain never loops.
    static let longestChain = 16

    /// The client `from` was moved into, if it was.
    static func destination(of from: Int64, _ db: Database) throws -> Int64? {
        guard let row = try db.positionalRow(sql: "SELECT to_client_id FROM client_move WHERE from_client_id = ?", [from]) else {
            return nil
        }
        let to: Int64 = row[0]
        return to
    }

    /// The client that holds `clientID`'s records now: the one it was merged into, following
    /// that one's merge in turn, or `clientID` itself (0 stays 0: no client).
    static func survivor(of clientID: Int64, _ db: Database) throws -> Int64 {
        guard clientID > 0 else { return clientID }
        var current = clientID
        for _ in 0..<longestChain {
            guard let next = try destination(of: current, db) else { break }
            current = next
        }
        return current
    }

    /// Records that `from` was merged into `to`. Throws FAILED_PRECONDITION when `from` was
    /// merged into another client before, or `to` was itself merged away.
    static func record(from: Int64, to: Int64, at time: Int64, _ db: Database) throws {
        if let earlier = try destination(of: from, db), earlier != to {
            throw RPCError.failedPrecondition("client \(from) was already merged into client \(earlier)")
        }
        if let destination = try destination(of: to, db) {
            throw RPCError.failedPrecondition("client \(to) was merged into client \(destination); move into that client")
        }
        try db.positionalExecute(
            sql: "INSERT INTO client_move (from_client_id, to_client_id, moved_at_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [from, to, time])
    }
}

extension VisitSubject {
    /// The subject whose views a read shows: a merged client's id reads the survivor's visit.
    func resolved(_ db: Database) throws -> VisitSubject {
        guard case .client(let id) = self else { return self }
        return .client(try ClientMoves.survivor(of: id, db))
    }
}
