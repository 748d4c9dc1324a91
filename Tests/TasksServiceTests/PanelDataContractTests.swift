import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import TasksService
import Testing

/// GetPanelData over the real socket: the same lists and page as ListTasks and ListNotes give,
/// in one call, with their rights and their validation (violations named with their path).
@Suite struct PanelDataContractTests {
    private func panelData(
        lists: [TasksV1.ListTasksRequest], notes: TasksV1.ListNotesRequest? = nil
    ) -> TasksV1.GetPanelDataRequest {
        var request = TasksV1.GetPanelDataRequest()
        request.taskLists = lists
        request.notes = notes
        return request
    }

    /// Client 10: three tasks (one of them manager 1's own), six notes.
    private func seed(_ service: TasksHarness) async throws {
        _ = try await service.call(TasksV1.Tasks.createTask, Make.task(title: "Mine", performer: 1), as: .manager(1))
        _ = try await service.call(TasksV1.Tasks.createTask, Make.task(title: "For 2", performer: 2), as: .manager(1))
        _ = try await service.call(TasksV1.Tasks.createTask, Make.task(title: "By 2", performer: 1), as: .manager(2))
        for index in 1...6 { _ = try await service.call(TasksV1.Tasks.createNote, Make.note(text: "note \(index)")) }
    }

    @Test func answersWhatListTasksAndListNotesAnswer() async throws {
        try await withTasksService { service in
            try await seed(service)
            let all = Make.list(view: .all, pageSize: 10)
            let mine = Make.list(view: .mine, pageSize: 10)
            let notes = Make.notes(pageSize: 5)
            let data = try await service.call(TasksV1.Tasks.getPanelData, panelData(lists: [all, mine], notes: notes))

            let separateAll = try await service.call(TasksV1.Tasks.listTasks, all)
            let separateMine = try await service.call(TasksV1.Tasks.listTasks, mine)
            let separateNotes = try await service.call(TasksV1.Tasks.listNotes, notes)
            #expect(data.taskLists.count == 2)
            #expect(data.taskLists.first?.tasks == separateAll.tasks)
            #expect(data.taskLists.last?.tasks == separateMine.tasks)
            #expect(data.taskLists.first?.tasks.count == 3)
            #expect(data.taskLists.last?.tasks.map(\.title) == ["Mine"])
            #expect(data.notes?.notes == separateNotes.notes)
            #expect(data.notes?.notes.count == 5)
            #expect(data.notes?.nextPageToken.isEmpty == false)
        }
    }

    @Test func notesAloneNeedNoRightTaskListsNeedTheTasksRight() async throws {
        try await withTasksService { service in
            try await seed(service)
            let reader = RPCV1.Caller.manager(3, [])
            let notesOnly = try await service.call(TasksV1.Tasks.getPanelData, panelData(lists: [], notes: Make.notes()), as: reader)
            #expect(notesOnly.taskLists.isEmpty)
            #expect(notesOnly.notes?.notes.count == 5)
            await expectError(.permissionDenied) {
                _ = try await service.call(TasksV1.Tasks.getPanelData, panelData(lists: [Make.list()], notes: Make.notes()), as: reader)
            }
            await expectError(.unauthenticated) {
                _ = try await service.call(TasksV1.Tasks.getPanelData, panelData(lists: [Make.list(view: .mine)]), as: .manager(0))
            }
        }
    }

    @Test func namesEveryBadFieldWithItsPath() async throws {
        try await withTasksService { service in
            let bad = panelData(
                lists: [Make.list(), Make.list(client: 0, pageSize: 1000)], notes: Make.notes(client: -1, pageSize: 1000))
            await expectError(
                .invalidArgument, fields: ["task_lists[1].client_id", "task_lists[1].page_size", "notes.client_id", "notes.page_size"]
            ) {
                _ = try await service.call(TasksV1.Tasks.getPanelData, bad)
            }
            await expectError(.invalidArgument, fields: ["task_lists"]) {
                _ = try await service.call(
                    TasksV1.Tasks.getPanelData, panelData(lists: [Make.list(), Make.list(view: .mine), Make.list()]))
            }
        }
    }

    @Test func askingForNothingAnswersNothing() async throws {
        try await withTasksService { service in
            let data = try await service.call(TasksV1.Tasks.getPanelData, TasksV1.GetPanelDataRequest())
            #expect(data.taskLists.isEmpty)
            #expect(data.notes == nil)
        }
    }
}
