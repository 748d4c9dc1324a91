import ChatPanelProto
import ChatPanelRPC

extension TasksService {
    /// CreateNote, ListNotes, GetNote, DeleteNote: notes need no right; deleting one needs its
    /// author or an administrator.
    static func registerNoteMethods(on router: inout RPCRouter, store: TasksStore) {
        router.register(TasksV1.Tasks.createNote) { request, context in
            let author = try context.managerID(for: "writing a note")
            try request.validate()
            return try await store.createNote(
                clientID: request.clientID, text: request.text, authorID: author, requestID: context.requestID)
        }
        router.register(TasksV1.Tasks.listNotes) { request, _ in
            try await store.listNotes(try request.validated())
        }
        router.register(TasksV1.Tasks.getNote) { request, _ in
            let id = try validatedNoteID(request.noteID)
            guard let response = try await store.note(id: id) else { throw RPCError.notFound("note \(id) does not exist") }
            return response
        }
        router.register(TasksV1.Tasks.deleteNote) { request, context in
            let manager = try context.managerID(for: "deleting a note")
            let id = try validatedNoteID(request.noteID)
            return try await store.deleteNote(
                id: id, by: manager, asAdministrator: context.caller.has(.admin), requestID: context.requestID)
        }
    }
}
