import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ClientsService
import Gateway
import Synchronization
import TasksService
import Testing

/// Actions as a user meets them: a ticked task stays listed until the panel is reloaded
/// (TASK-3), a saved change answers success even when its refresh fails and a retry changes
/// nothing more, and a task the tasks service would refuse saves no client (TASK-2).
@Suite("Gateway: actions as a user meets them")
struct ActDefectTests {
    @Test("a task completed with Act stays listed, ticked, in the refreshed Tasks widget until the panel is reloaded (TASK-3)")
    func completedTaskStaysListed() async throws {
        try await withGateway { h in
            let clientID = try await h.savedClient("d-tick")
            let first = try await h.task("Call back", client: clientID, performer: As.manager.managerID)
            let second = try await h.task("Send the invoice", client: clientID, performer: As.manager.managerID)
            let panel = try await h.panel("d-tick")
            #expect(panel.loadedAtMs > 0)

            // Without the panel's time: the task this action completed stays listed.
            let ticked = try await h.act(
                dialog: "d-tick", TasksV1.Tasks.completeTask.path, Seed.completeTask(first.taskID), requestID: "tick-1")
            let refreshed = try #require(ticked.refreshed.first { $0.kind == .tasks })
            #expect(refreshed.state == .ok, "\(refreshed.reason)")
            let all = try refreshed.tasksData().all?.tasks ?? []
            #expect(Set(all.map(\.taskID)) == [first.taskID, second.taskID])
            #expect(all.first { $0.taskID == first.taskID }?.status == .completed)
            #expect(all.first { $0.taskID == second.taskID }?.status == .open)
            #expect(try refreshed.tasksData().mine?.tasks.first { $0.taskID == first.taskID }?.status == .completed)

            // With the panel's time: every task ticked in this panel stays listed.
            let again = try await h.act(
                dialog: "d-tick", TasksV1.Tasks.completeTask.path, Seed.completeTask(second.taskID), requestID: "tick-2",
                panelLoadedAtMs: panel.loadedAtMs)
            let both = try #require(again.refreshed.first { $0.kind == .tasks }).tasksData().all?.tasks ?? []
            #expect(Set(both.map(\.taskID)) == [first.taskID, second.taskID])
            #expect(both.allSatisfy { $0.status == .completed })

            // A reloaded panel lists open tasks only.
            let reloaded = try await h.panel("d-tick")
            #expect(try reloaded.widget(.tasks)?.tasksData().all?.tasks.isEmpty ?? true)
        }
    }

    @Test(
        "a change saved whose refresh fails answers success with the widgets UNAVAILABLE; a retry with its request id creates nothing more")
    func savedChangeSurvivesFailedRefresh() async throws {
        // Right after a note is saved the clients service stops answering client cards, and the
        // tasks service never answers the panel's data: nothing can be refreshed.
        let clientsDown = Switch()
        let clientsRoutes: (inout RPCRouter, ClientsStore) -> Void = { router, store in
            router.register(ClientsV1.Clients.getClientCard) { request, context in
                guard !clientsDown.isOn, case .dialogID(let dialogID)? = request.target else {
                    throw RPCError.unavailable("the clients service is down in this test")
                }
                return try await store.clientCard(dialogID: dialogID, managerID: context.caller.managerID)
            }
        }
        let tasksRoutes: (inout RPCRouter, TasksStore) -> Void = { router, store in
            router.register(TasksV1.Tasks.createNote) { request, context in
                let response = try await store.createNote(
                    clientID: request.clientID, text: request.text, authorID: context.caller.managerID, requestID: context.requestID)
                clientsDown.turn(on: true)
                return response
            }
            router.register(TasksV1.Tasks.getPanelData) { _, _ in throw RPCError.unavailable("panel data is down in this test") }
        }
        try await withGateway(clientsRoutes: clientsRoutes, tasksRoutes: tasksRoutes) { h in
            let clientID = try await h.savedClient("d-refresh")
            let first = try await h.act(
                dialog: "d-refresh", TasksV1.Tasks.createNote.path, Seed.note("call after 6", client: clientID), requestID: "note-1")
            let note = try #require(try TasksV1.CreateNoteResponse(serializedBytes: first.response).note)
            #expect(note.clientID == clientID)
            #expect(first.refreshed.map(\.kind) == [.notes])
            let widget = try #require(first.refreshed.first)
            #expect(widget.state == .unavailable, "\(widget.state) \(widget.reason)")
            #expect(!widget.reason.isEmpty)
            #expect(widget.data.isEmpty)

            // The caller retries with the same request id once the clients service is back.
            clientsDown.turn(on: false)
            let retried = try await h.act(
                dialog: "d-refresh", TasksV1.Tasks.createNote.path, Seed.note("call after 6", client: clientID), requestID: "note-1")
            #expect(try TasksV1.CreateNoteResponse(serializedBytes: retried.response).note?.noteID == note.noteID)
            #expect(retried.refreshed.first?.state == .unavailable)
            #expect(try await h.notesOf(clientID).map(\.noteID) == [note.noteID])

            clientsDown.turn(on: false)
            let task = Seed.task("Call back", client: clientID, performer: As.manager.managerID)
            let created = try await h.act(dialog: "d-refresh", TasksV1.Tasks.createTask.path, task, requestID: "task-1")
            #expect(created.refreshed.first?.state == .unavailable)
            let again = try await h.act(dialog: "d-refresh", TasksV1.Tasks.createTask.path, task, requestID: "task-1")
            #expect(created.response == again.response)
            #expect(try await h.tasksOf(clientID).count == 1)
        }
    }

    @Test("a retried action through the gateway answers as the first did (clients service): one tag, same answer")
    func retriedClientAction() async throws {
        try await withGateway { h in
            let clientID = try await h.savedClient("d-retry")
            let (tag, attach) = try await h.newTag("Опт", for: clientID)
            let first = try await h.act(dialog: "d-retry", ClientsV1.Clients.attachTag.path, attach, requestID: "attach-once")
            // Detached meanwhile: the retry must not attach it again.
            var detach = ClientsV1.DetachTagRequest()
            detach.clientID = clientID
            detach.tagID = tag.tagID
            _ = try await h.clients(ClientsV1.Clients.detachTag, detach)
            let retried = try await h.act(dialog: "d-retry", ClientsV1.Clients.attachTag.path, attach, requestID: "attach-once")
            #expect(retried.response == first.response)
            let card = try #require(try await h.panel("d-retry").client).card()
            #expect(card.client?.tags.isEmpty == true)
        }
    }

    @Test("CreateTask for an unsaved contact that the tasks service refuses saves no client (TASK-2)")
    func refusedTaskSavesNoClient() async throws {
        try await withGateway { h in
            try await h.dialog("d-refused-task", name: "Пётр Сидоров")
            var bad = Seed.task("", client: 0, performer: As.manager.managerID)
            await expectError(.invalidArgument, field: "title") {
                try await h.act(dialog: "d-refused-task", TasksV1.Tasks.createTask.path, bad, requestID: "bad-task-1")
            }
            bad.title = "Call back"
            bad.deadline = TasksV1.Deadline()
            bad.deadline?.localTime = "2026-13-40T25:00"
            bad.deadline?.timeZone = "Europe/Moscow"
            await expectError(.invalidArgument) {
                try await h.act(dialog: "d-refused-task", TasksV1.Tasks.createTask.path, bad, requestID: "bad-task-2")
            }
            let card = try #require(try await h.panel("d-refused-task").client).card()
            #expect(card.client == nil)
            #expect(card.canSaveClient)
        }
    }

    @Test("CreateTask for an unsaved contact retried with its request id saves one client and creates one task (TASK-2)")
    func retriedTaskForUnsavedContact() async throws {
        try await withGateway { h in
            try await h.dialog("d-retry-task", name: "Пётр Сидоров")
            let task = Seed.task("Call back", client: 0, performer: As.manager.managerID)
            let first = try await h.act(dialog: "d-retry-task", TasksV1.Tasks.createTask.path, task, requestID: "retry-task-1")
            let again = try await h.act(dialog: "d-retry-task", TasksV1.Tasks.createTask.path, task, requestID: "retry-task-1")
            let created = try #require(try TasksV1.CreateTaskResponse(serializedBytes: first.response).task)
            #expect(try TasksV1.CreateTaskResponse(serializedBytes: again.response).task?.taskID == created.taskID)
            let card = try #require(try await h.panel("d-retry-task").client).card()
            #expect(card.client?.clientID == created.clientID)
            #expect(try await h.tasksOf(created.clientID).map(\.taskID) == [created.taskID])
        }
    }

    @Test("CreateTask with validate_only checks the task (client_id 0 allowed) and creates nothing")
    func validateOnly() async throws {
        try await withGateway { h in
            let clientID = try await h.savedClient("d-check")
            var check = Seed.task("Call back", client: 0, performer: As.manager.managerID)
            check.validateOnly = true
            #expect(try await h.tasks(TasksV1.Tasks.createTask, check).task == nil)
            check.clientID = clientID
            #expect(try await h.tasks(TasksV1.Tasks.createTask, check).task == nil)
            check.title = ""
            await expectError(.invalidArgument, field: "title") { try await h.tasks(TasksV1.Tasks.createTask, check) }
            check.title = "Call back"
            await expectError(.permissionDenied) { try await h.tasks(TasksV1.Tasks.createTask, check, as: As.noTasks) }
            #expect(try await h.tasksOf(clientID).isEmpty)
        }
    }
}

/// A switch tests flip from a route handler and read from another.
final class Switch: Sendable {
    private let state = Atomic<Bool>(false)
    var isOn: Bool { state.load(ordering: .sequentiallyConsistent) }
    func turn(on: Bool) { state.store(on, ordering: .sequentiallyConsistent) }
}
