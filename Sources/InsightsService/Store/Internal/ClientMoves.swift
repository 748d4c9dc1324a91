import ChatPanelRPC
import ChatPanelStore
import GRDB

/// Merges as MoveClientRecords records them in `client_move` (read through the store kit's
/// ``ChatPanelStore/ClientMoves``): a merged client's id names the survivor in a page view, a
/// dialog's link and a read alike.
extension ClientMoves {
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
