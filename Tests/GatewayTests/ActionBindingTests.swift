import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import Gateway
import Testing

/// An action from a dialog's panel reaches only that dialog's client: a client id, task or note
/// of another client is refused naming the field, a client id left 0 means the dialog's client,
/// and a dialog id inside the request must be the panel's.
@Suite("Gateway: actions bound to the dialog's client")
struct ActionBindingTests {
    @Test("another client's id, task or note is PERMISSION_DENIED naming the field; nothing is written")
    func anotherClientRefused() async throws {
        try await withGateway { h in
            let own = try await h.savedClient("d-own", name: "Анна Смирнова")
            let other = try await h.savedClient("d-other", name: "Борис Орлов")
            let otherTask = try await h.task("Other's task", client: other, performer: As.manager.managerID)
            let otherNote = try await h.note("other's note", client: other)

            await expectError(.permissionDenied, field: "client_id") {
                try await h.act(dialog: "d-own", TasksV1.Tasks.createNote.path, Seed.note("sneaky", client: other))
            }
            await expectError(.permissionDenied, field: "client_id") {
                try await h.act(
                    dialog: "d-own", TasksV1.Tasks.createTask.path, Seed.task("sneaky", client: other, performer: As.manager.managerID))
            }
            await expectError(.permissionDenied, field: "task_id") {
                try await h.act(dialog: "d-own", TasksV1.Tasks.completeTask.path, Seed.completeTask(otherTask.taskID))
            }
            var delete = TasksV1.DeleteNoteRequest()
            delete.noteID = otherNote.noteID
            await expectError(.permissionDenied, field: "note_id") {
                try await h.act(dialog: "d-own", TasksV1.Tasks.deleteNote.path, delete)
            }
            let (_, attach) = try await h.newTag("VIP", for: other)
            await expectError(.permissionDenied, field: "client_id") {
                try await h.act(dialog: "d-own", ClientsV1.Clients.attachTag.path, attach)
            }

            #expect(try await h.notesOf(other).map(\.noteID) == [otherNote.noteID])
            #expect(try await h.tasksOf(other).map(\.taskID) == [otherTask.taskID])
            #expect(try await h.tasksOf(other).first?.status == .open)
            let card = try #require(try await h.panel("d-other").client).card()
            #expect(card.client?.tags.isEmpty == true)
            #expect(try await h.notesOf(own).isEmpty)
        }
    }

    @Test("client_id 0 means the dialog's client; the dialog's own task completes")
    func dialogClientTaken() async throws {
        try await withGateway { h in
            let own = try await h.savedClient("d-take", name: "Анна Смирнова")
            let created = try await h.act(dialog: "d-take", TasksV1.Tasks.createNote.path, Seed.note("from the panel", client: 0))
            let note = try #require(try TasksV1.CreateNoteResponse(serializedBytes: created.response).note)
            #expect(note.clientID == own)
            let task = try await h.task("Call back", client: own, performer: As.manager.managerID)
            let completed = try await h.act(dialog: "d-take", TasksV1.Tasks.completeTask.path, Seed.completeTask(task.taskID))
            #expect(try TasksV1.CompleteTaskResponse(serializedBytes: completed.response).task?.status == .completed)
        }
    }

    @Test("a dialog id inside the request other than the panel's is INVALID_ARGUMENT naming it; a client action needs the dialog")
    func dialogMismatch() async throws {
        try await withGateway { h in
            try await h.dialog("d-here")
            try await h.dialog("d-there")
            var save = ClientsV1.SaveClientFromDialogRequest()
            save.dialogID = "d-there"
            await expectError(.invalidArgument, field: "dialog_id") {
                try await h.act(dialog: "d-here", ClientsV1.Clients.saveClientFromDialog.path, save)
            }
            let there = try #require(try await h.panel("d-there").client).card()
            #expect(there.client == nil)
            await expectError(.invalidArgument, field: "dialog_id") {
                try await h.act(dialog: "", TasksV1.Tasks.createNote.path, Seed.note("no dialog", client: 1))
            }
        }
    }
}
