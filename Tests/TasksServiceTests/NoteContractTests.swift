import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB
import TasksService
import Testing

/// CreateNote, ListNotes, GetNote and DeleteNote over the real socket.
@Suite struct NoteContractTests {
    @discardableResult
    private func write(_ service: TasksHarness, _ text: String, client: Int64 = 10, author: Int64 = 1) async throws -> TasksV1.Note {
        try #require(try await service.call(TasksV1.Tasks.createNote, Make.note(client: client, text: text), as: .manager(author)).note)
    }

    private func noteCount(_ service: TasksHarness) async throws -> Int {
        try await service.store.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM note") ?? -1 }
    }

    @Test func writesANoteAndReadsItBack() async throws {
        try await withTasksService { service in
            let note = try await write(service, "Prefers calls after 18:00", author: 4)
            #expect(note.noteID > 0 && note.clientID == 10 && note.authorID == 4)
            #expect(note.text == "Prefers calls after 18:00" && !note.truncated && note.length == 25)
            #expect(note.createdAtMs > 1_700_000_000_000)
            let fetched = try await service.call(TasksV1.Tasks.getNote, Make.noteID(note.noteID))
            #expect(fetched.note == note)
        }
    }

    @Test func refusesA2001CharacterNoteOnTextAndStoresNothing() async throws {
        try await withTasksService { service in
            await expectError(.invalidArgument, fields: ["text"]) {
                _ = try await service.call(TasksV1.Tasks.createNote, Make.note(text: String(repeating: "ж", count: 2001)))
            }
            await expectError(.invalidArgument, fields: ["text"]) {
                _ = try await service.call(TasksV1.Tasks.createNote, Make.note(text: String(repeating: "a", count: 2001)))
            }
            let count = try await noteCount(service)
            #expect(count == 0)
        }
    }

    @Test func accepts2000CyrillicAndEmojiCharactersWhateverTheirBytes() async throws {
        try await withTasksService { service in
            // Each unit is one character as the user sees it: a Cyrillic letter, a letter with a
            // combining accent, a skin-toned thumb (2 scalars), a flag (2), a family (7 scalars).
            let units = ["ж", "й", "е\u{0301}", "👍🏽", "🇷🇺", "👨‍👩‍👧‍👦", "Ё", "🙂"]
            let text = (0..<2000).map { units[$0 % units.count] }.joined()
            #expect(text.utf8.count > 2000 && text.unicodeScalars.count > 2000 && text.count == 2000)
            let note = try await write(service, text)
            #expect(note.length == 2000 && note.text == text && !note.truncated)
            #expect(try await service.call(TasksV1.Tasks.getNote, Make.noteID(note.noteID)).note?.text == text)
            // One more character is too many.
            await expectError(.invalidArgument, fields: ["text"]) {
                _ = try await service.call(TasksV1.Tasks.createNote, Make.note(text: text + "👍🏽"))
            }
            #expect(try await noteCount(service) == 1)
        }
    }

    @Test func refusesBlankNotesAndMissingClients() async throws {
        try await withTasksService { service in
            await expectError(.invalidArgument, fields: ["client_id", "text"]) {
                _ = try await service.call(TasksV1.Tasks.createNote, Make.note(client: 0, text: ""))
            }
            await expectError(.invalidArgument, fields: ["text"]) {
                _ = try await service.call(TasksV1.Tasks.createNote, Make.note(text: " \n \u{3000}"))
            }
            await expectError(.unauthenticated) {
                _ = try await service.call(TasksV1.Tasks.createNote, Make.note(text: "x"), as: .manager(0))
            }
            let count = try await noteCount(service)
            #expect(count == 0)
        }
    }

    @Test func listsFiveNewestThenThreeOlderAtATimeStableUnderNewNotes() async throws {
        try await withTasksService { service in
            var ids: [Int64] = []
            for index in 1...12 { ids.append(try await write(service, "note \(index)").noteID) }
            try await write(service, "another client's", client: 11)
            let newestFirst = Array(ids.reversed())

            let first = try await service.call(TasksV1.Tasks.listNotes, Make.notes())
            #expect(first.notes.map(\.noteID) == Array(newestFirst[0..<5]))
            // New notes between pages do not shift the cursor.
            for index in 13...16 { try await write(service, "note \(index)") }
            let second = try await service.call(TasksV1.Tasks.listNotes, Make.notes(token: first.nextPageToken))
            #expect(second.notes.map(\.noteID) == Array(newestFirst[5..<8]))
            // Nor does deleting one that was already shown, or one not shown yet.
            _ = try await service.call(TasksV1.Tasks.deleteNote, Make.noteID(newestFirst[0]))
            _ = try await service.call(TasksV1.Tasks.deleteNote, Make.noteID(newestFirst[9]))
            let third = try await service.call(TasksV1.Tasks.listNotes, Make.notes(token: second.nextPageToken))
            #expect(third.notes.map(\.noteID) == [newestFirst[8], newestFirst[10], newestFirst[11]])
            #expect(third.nextPageToken.isEmpty)
            // A fresh first page shows the new ones.
            let reloaded = try await service.call(TasksV1.Tasks.listNotes, Make.notes())
            #expect(reloaded.notes.map(\.text) == ["note 16", "note 15", "note 14", "note 13", "note 11"])
        }
    }

    @Test func listsPreviewsWithATruncatedFlag() async throws {
        try await withTasksService { service in
            let long = String(repeating: "Длинная заметка. ", count: 40)  // 680 characters
            let written = try await write(service, long)
            try await write(service, "short")
            let listed = try await service.call(TasksV1.Tasks.listNotes, Make.notes())
            #expect(listed.notes.map(\.truncated) == [false, true])
            #expect(listed.notes[0].text == "short")
            let preview = listed.notes[1]
            #expect(preview.text.count <= 300 && long.hasPrefix(preview.text) && preview.length == 680)
            let shorter = try await service.call(TasksV1.Tasks.listNotes, Make.notes(preview: 8))
            #expect(shorter.notes[1].text == "Длинная")
            #expect(try await service.call(TasksV1.Tasks.getNote, Make.noteID(written.noteID)).note?.text == long)
        }
    }

    @Test func aPreviewCountsCharactersNotBytesOrScalars() async throws {
        try await withTasksService { service in
            // Newest first: five characters in ten scalars, five Cyrillic ones, six.
            try await write(service, "Привет")
            try await write(service, "Приве")
            try await write(service, String(repeating: "e\u{301}", count: 5))
            let listed = try await service.call(TasksV1.Tasks.listNotes, Make.notes(preview: 5))
            #expect(listed.notes.map(\.text) == [String(repeating: "e\u{301}", count: 5), "Приве", "Приве"])
            #expect(listed.notes.map(\.truncated) == [false, false, true])
            #expect(listed.notes.map(\.length) == [5, 5, 6])
        }
    }

    @Test func refusesBadListRequests() async throws {
        try await withTasksService { service in
            for index in 1...6 { try await write(service, "note \(index)") }
            let token = try await service.call(TasksV1.Tasks.listNotes, Make.notes()).nextPageToken
            await expectError(.invalidArgument, fields: ["client_id", "page_size", "preview_length"]) {
                _ = try await service.call(TasksV1.Tasks.listNotes, Make.notes(client: 0, pageSize: 51, preview: 2001))
            }
            await expectError(.invalidArgument, fields: ["page_token"]) {
                _ = try await service.call(TasksV1.Tasks.listNotes, Make.notes(client: 11, token: token))
            }
            await expectError(.invalidArgument, fields: ["page_token"]) {
                _ = try await service.call(TasksV1.Tasks.listNotes, Make.notes(token: "%%%"))
            }
            // A tasks token is not a notes token.
            _ = try await service.call(TasksV1.Tasks.createTask, Make.task())
            _ = try await service.call(TasksV1.Tasks.createTask, Make.task())
            let taskToken = try await service.call(TasksV1.Tasks.listTasks, Make.list(pageSize: 1)).nextPageToken
            await expectError(.invalidArgument, fields: ["page_token"]) {
                _ = try await service.call(TasksV1.Tasks.listNotes, Make.notes(token: taskToken))
            }
        }
    }

    @Test func notesNeedNoTasksRight() async throws {
        try await withTasksService { service in
            let plain = RPCV1.Caller.manager(5, [])
            let note = try #require(try await service.call(TasksV1.Tasks.createNote, Make.note(text: "hi"), as: plain).note)
            #expect(try await service.call(TasksV1.Tasks.listNotes, Make.notes(), as: plain).notes.count == 1)
            _ = try await service.call(TasksV1.Tasks.deleteNote, Make.noteID(note.noteID), as: plain)
        }
    }

    @Test func onlyTheAuthorOrAnAdministratorDeletesANote() async throws {
        try await withTasksService { service in
            let note = try await write(service, "by 1", author: 1)
            await expectError(.permissionDenied) {
                _ = try await service.call(TasksV1.Tasks.deleteNote, Make.noteID(note.noteID), as: .manager(2, [.tasks, .adminTags]))
            }
            #expect(try await service.call(TasksV1.Tasks.getNote, Make.noteID(note.noteID)).note == note)
            let deleted = try await service.call(TasksV1.Tasks.deleteNote, Make.noteID(note.noteID), as: .admin(2))
            #expect(deleted.note == note)
            await expectError(.notFound) { _ = try await service.call(TasksV1.Tasks.getNote, Make.noteID(note.noteID)) }
            await expectError(.notFound) { _ = try await service.call(TasksV1.Tasks.deleteNote, Make.noteID(note.noteID)) }

            let own = try await write(service, "by 3", author: 3)
            _ = try await service.call(TasksV1.Tasks.deleteNote, Make.noteID(own.noteID), as: .manager(3, []))
            let count = try await noteCount(service)
            #expect(count == 0)
        }
    }

    @Test func unknownAndBadNoteIDs() async throws {
        try await withTasksService { service in
            await expectError(.notFound) { _ = try await service.call(TasksV1.Tasks.getNote, Make.noteID(404)) }
            await expectError(.invalidArgument, fields: ["note_id"]) {
                _ = try await service.call(TasksV1.Tasks.getNote, Make.noteID(0))
            }
            await expectError(.invalidArgument, fields: ["note_id"]) {
                _ = try await service.call(TasksV1.Tasks.deleteNote, Make.noteID(-3))
            }
        }
    }

    @Test func retriedMutationsWithTheSameRequestIDAreAppliedOnce() async throws {
        try await withTasksService { service in
            let create = newRequestID()
            let first = try await service.call(TasksV1.Tasks.createNote, Make.note(text: "once"), requestID: create)
            let retry = try await service.call(TasksV1.Tasks.createNote, Make.note(text: "once"), requestID: create)
            #expect(first == retry)
            #expect(try await noteCount(service) == 1)
            let delete = newRequestID()
            let deleted = try await service.call(TasksV1.Tasks.deleteNote, Make.noteID(first.note!.noteID), requestID: delete)
            // The retry gets the first answer, not NOT_FOUND.
            #expect(try await service.call(TasksV1.Tasks.deleteNote, Make.noteID(first.note!.noteID), requestID: delete) == deleted)
        }
    }

    @Test func aRequestIDReusedWithAnotherPayloadIsRefusedAndWritesNothing() async throws {
        try await withTasksService { service in
            let id = newRequestID()
            let first = try await service.call(TasksV1.Tasks.createNote, Make.note(text: "first text"), requestID: id)
            let refusal = await expectError(.failedPrecondition) {
                try await service.call(TasksV1.Tasks.createNote, Make.note(text: "second text"), requestID: id)
            }
            #expect(refusal?.message.contains("already used with another request") == true, "\(String(describing: refusal))")
            #expect(try await noteCount(service) == 1)
            // The same payload again still gets the first answer.
            #expect(try await service.call(TasksV1.Tasks.createNote, Make.note(text: "first text"), requestID: id) == first)
        }
    }
}
