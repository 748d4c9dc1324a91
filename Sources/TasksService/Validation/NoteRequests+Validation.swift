public import ChatPanelProto
public import ChatPanelRPC

extension TasksV1.CreateNoteRequest {
    /// Checks the client and the text: 1 to ``NoteLimits/textLength`` characters, not blank
    /// (NOTE-1); INVALID_ARGUMENT naming every bad field.
    public func validate() throws(RPCError) {
        var violations = FieldViolations()
        violations.checkID(clientID, field: "client_id")
        violations.checkText(text, field: "text", NoteLimits.text)
        try violations.throwIfAny()
    }
}

extension TasksV1.ListNotesRequest {
    /// The page to list, or INVALID_ARGUMENT naming every bad field.
    public func validated() throws(RPCError) -> NoteListQuery {
        var violations = FieldViolations()
        violations.checkID(clientID, field: "client_id")
        violations.check(
            pageSize <= NoteLimits.maximumPageSize, field: "page_size", "must be at most \(NoteLimits.maximumPageSize)")
        violations.check(previewLength <= NoteLimits.textLength, field: "preview_length", "must be at most \(NoteLimits.textLength)")
        var cursor: NoteCursor? = nil
        if !pageToken.isEmpty {
            cursor = NoteCursor(token: pageToken)
            if let found = cursor {
                violations.check(found.clientID == clientID, field: "page_token", "belongs to another client's notes")
            } else {
                violations.add(field: "page_token", "is not a token from ListNotes")
            }
        }
        try violations.throwIfAny()
        let size = pageSize != 0 ? Int(pageSize) : (cursor == nil ? NoteLimits.firstPageSize : NoteLimits.nextPageSize)
        return NoteListQuery(
            clientID: clientID, pageSize: size, after: cursor,
            previewLength: previewLength == 0 ? NoteLimits.defaultPreviewLength : Int(previewLength))
    }
}

/// Checks the id of a request naming one note.
func validatedNoteID(_ noteID: Int64) throws(RPCError) -> Int64 {
    var violations = FieldViolations()
    violations.checkID(noteID, field: "note_id")
    try violations.throwIfAny()
    return noteID
}
