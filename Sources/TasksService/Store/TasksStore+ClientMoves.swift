public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension TasksStore {
    /// Moves every task and note of `fromClientID` to `toClientID` (a merge, CLIENT-9), in one
    /// transaction: after a crash nothing or everything has moved.
    ///
    /// Repeating it (with any request id) is safe: it moves whatever still belongs to the old
    /// client and reports the move's totals, so every repeat answers the same counts. The old
    /// client takes no new tasks or notes afterwards.
    ///
    /// - Throws: FAILED_PRECONDITION when `fromClientID` was moved into another client than
    ///   `toClientID`, or `toClientID` was itself merged away.
    public func moveClientRecords(from fromClientID: Int64, to toClientID: Int64, requestID: String) async throws
        -> TasksV1.MoveClientRecordsResponse
    {
        let now = now
        return try await database.idempotentWrite(requestID: requestID, method: TasksV1.Tasks.moveClientRecords.path) { db in
            let time = now()
            let earlier = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT to_client_id, tasks_moved, notes_moved FROM client_move WHERE from_client_id = ?"),
                arguments: [fromClientID])
            if let earlier {
                let destination: Int64 = earlier[0]
                guard destination == toClientID else {
                    throw RPCError.failedPrecondition("client \(fromClientID) was already moved into client \(destination)")
                }
            }
            if let destination = try ClientMoves.destination(of: toClientID, db) {
                throw RPCError.failedPrecondition("client \(toClientID) was merged into client \(destination); move into that client")
            }
            try db.cachedStatement(
                sql: "UPDATE task SET client_id = ?, updated_at_ms = ?, version = version + 1 WHERE client_id = ?"
            ).execute(arguments: [toClientID, time, fromClientID])
            let tasks = Int64(db.changesCount)
            try db.cachedStatement(sql: "UPDATE note SET client_id = ? WHERE client_id = ?").execute(arguments: [toClientID, fromClientID])
            let notes = Int64(db.changesCount)
            for clientID in [fromClientID, toClientID] { try db.recordChanges([.tasks, .notes], clientID: clientID, at: time) }
            try db.cachedStatement(
                sql: """
                    INSERT INTO client_move (from_client_id, to_client_id, tasks_moved, notes_moved, first_moved_at_ms, last_moved_at_ms)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                    ON CONFLICT (from_client_id) DO UPDATE SET
                        tasks_moved = tasks_moved + excluded.tasks_moved, notes_moved = notes_moved + excluded.notes_moved,
                        last_moved_at_ms = excluded.last_moved_at_ms
                    """
            ).execute(arguments: [fromClientID, toClientID, tasks, notes, time])
            var response = TasksV1.MoveClientRecordsResponse()
            let tasksBefore: Int64 = earlier?[1] ?? 0
            let notesBefore: Int64 = earlier?[2] ?? 0
            response.tasksMoved = UInt32(clamping: tasksBefore + tasks)
            response.notesMoved = UInt32(clamping: notesBefore + notes)
            response.repeated = earlier != nil
            return response
        }
    }
}
