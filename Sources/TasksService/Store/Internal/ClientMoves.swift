import ChatPanelRPC
import ChatPanelStore
import GRDB

/// The clients whose tasks and notes were moved into another client (the store kit's
/// ``ChatPanelStore/ClientMoves`` reads `client_move`; reads resolve a merged id through it).
extension ClientMoves {
    /// Throws FAILED_PRECONDITION when `clientID` was merged into another client: it takes no
    /// new records.
    static func requireNotMovedAway(_ clientID: Int64, _ db: Database) throws {
        guard try destination(of: clientID, db) != nil else { return }
        // The client holding its records now, through later merges: the one to use.
        let holder = try survivor(of: clientID, db)
        throw RPCError.failedPrecondition("client \(clientID) was merged into client \(holder); use that client")
    }
}
