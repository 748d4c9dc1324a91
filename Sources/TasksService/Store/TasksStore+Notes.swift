public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension TasksStore {
    /// Writes a note (NOTE-1). The text must already be validated.
    ///
    /// A new note is never older than the client's newest note (a clock stepping back cannot
    /// put it behind a page cursor), so listing cursors stay correct while notes are written.
    ///
    /// - Throws: FAILED_PRECONDITION when the client was merged into another.
    public func createNote(clientID: Int64, text: String, authorID: Int64, requestID: String) async throws -> TasksV1.CreateNoteResponse {
        let now = now
        let length = TextRule.characterCount(text)
        return try await database.idempotentWrite(requestID: requestID, method: TasksV1.Tasks.createNote.path) { db in
            try ClientMoves.requireNotMovedAway(clientID, db)
            let newest = try Int64.fetchOne(
                db.cachedStatement(
                    sql: "SELECT created_at_ms FROM note WHERE client_id = ? ORDER BY created_at_ms DESC, id DESC LIMIT 1"),
                arguments: [clientID])
            let createdAt = max(now(), newest ?? .min)
            try db.cachedStatement(sql: "INSERT INTO note (client_id, author_id, text, length, created_at_ms) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [clientID, authorID, text, length, createdAt])
            let noteID = db.lastInsertedRowID
            try db.recordChanges([.notes], clientID: clientID, at: now())
            var response = TasksV1.CreateNoteResponse()
            response.note = try NoteRecord.fetch(db, id: noteID)?.proto()
            return response
        }
    }

    /// A page of a client's notes, newest first, with previews (NOTE-2, NOTE-3). A merged
    /// client's id lists the notes of the client they were moved into.
    ///
    /// Keyset paging on (created_at_ms, id): each page reads at most `pageSize + 1` index
    /// entries, however many notes the client has and however deep the page is.
    public func listNotes(_ query: NoteListQuery) async throws -> TasksV1.ListNotesResponse {
        try await database.read { db in try Self.notesPage(db, query) }
    }

    /// A page of notes, inside a read transaction (see ``listNotes(_:)``). `holder` is the
    /// client holding the query's client's notes (``ChatPanelStore/ClientMoves/survivor(of:_:)``), when the
    /// caller resolved it already.
    static func notesPage(_ db: Database, _ query: NoteListQuery, holder: Int64? = nil) throws -> TasksV1.ListNotesResponse {
        let holder = try holder ?? ClientMoves.survivor(of: query.clientID, db)
        let records = try db.positionalRows(
            sql: NoteRecord.pageSQL,
            [holder, query.after?.createdAtMilliseconds ?? Int64.max, query.after?.noteID ?? Int64.max, query.pageSize + 1]
        ) { NoteRecord(row: $0) }
        var response = TasksV1.ListNotesResponse()
        let page = records.prefix(query.pageSize)
        response.notes = page.map { $0.proto(previewLength: query.previewLength) }
        if records.count > query.pageSize, let last = page.last {
            response.nextPageToken = last.cursor(clientID: query.clientID).token
        }
        return response
    }

    /// Task lists and a notes page read in one snapshot: the panel's Tasks and Notes widgets.
    /// A merged client's id reads the records of the client they were moved into, resolved once
    /// for the lists and the page (they name one client).
    ///
    /// Read at once (``ChatPanelStore/SQLiteStore/readNow(_:)``), for the handler that answers
    /// inside the read of its request.
    func panelDataNow(taskLists: [TaskListQuery], notes: NoteListQuery?) throws -> TasksV1.GetPanelDataResponse {
        let now = now()
        return try database.readNow { db in
            var resolved: (clientID: Int64, holder: Int64)? = nil
            func holder(of clientID: Int64) throws -> Int64 {
                if let resolved, resolved.clientID == clientID { return resolved.holder }
                let holder = try ClientMoves.survivor(of: clientID, db)
                resolved = (clientID, holder)
                return holder
            }
            var response = TasksV1.GetPanelDataResponse()
            response.taskLists = try taskLists.map { try Self.tasksPage(db, $0, now: now, holder: holder(of: $0.clientID)) }
            response.notes = try notes.map { try Self.notesPage(db, $0, holder: holder(of: $0.clientID)) }
            return response
        }
    }

    /// The note with this id and its whole text; nil when there is none.
    public func note(id: Int64) async throws -> TasksV1.GetNoteResponse? {
        try await database.read { db in
            guard let record = try NoteRecord.fetch(db, id: id) else { return nil }
            var response = TasksV1.GetNoteResponse()
            response.note = record.proto()
            return response
        }
    }

    /// Deletes a note for `managerID`, who must be its author unless `asAdministrator`.
    ///
    /// - Throws: NOT_FOUND; PERMISSION_DENIED when someone else wrote it.
    public func deleteNote(id: Int64, by managerID: Int64, asAdministrator: Bool, requestID: String) async throws
        -> TasksV1.DeleteNoteResponse
    {
        let now = now
        return try await database.idempotentWrite(requestID: requestID, method: TasksV1.Tasks.deleteNote.path) { db in
            guard let record = try NoteRecord.fetch(db, id: id) else { throw RPCError.notFound("note \(id) does not exist") }
            guard record.authorID == managerID || asAdministrator else {
                throw RPCError.permissionDenied("only the note's author or an administrator may delete note \(id)")
            }
            try db.cachedStatement(sql: "DELETE FROM note WHERE id = ?").execute(arguments: [id])
            try db.recordChanges([.notes], clientID: record.clientID, at: now())
            var response = TasksV1.DeleteNoteResponse()
            response.note = record.proto()
            return response
        }
    }
}
