import ChatPanelProto
import ChatPanelRPC

extension TasksService {
    /// The most task lists one GetPanelData call reads (the widget's two tabs).
    static let maximumPanelTaskLists = 2

    /// GetPanelData: ListTasks and ListNotes in one call and one snapshot, with their rules
    /// (task lists need RIGHT_TASKS, "mine" needs the caller's id, notes need no right).
    static func registerPanelDataMethod(on router: inout RPCRouter, store: TasksStore) {
        // Answered inside the read of the request: the lists are one read on the loop's connection.
        router.register(TasksV1.Tasks.getPanelData, synchronous: { request, context in
            if !request.taskLists.isEmpty { try context.require(.tasks, for: "listing tasks") }
            if request.taskLists.contains(where: { $0.view == .mine }) { _ = try context.managerID(for: "listing my tasks") }
            let (taskLists, notes) = try request.validated(managerID: context.caller.managerID)
            return try store.panelDataNow(taskLists: taskLists, notes: notes)
        })
    }
}

extension TasksV1.GetPanelDataRequest {
    /// The lists and the notes page to read for `managerID`, or INVALID_ARGUMENT naming every
    /// bad field with its path (`task_lists[1].page_size`, `notes.client_id`).
    func validated(managerID: Int64) throws(RPCError) -> (taskLists: [TaskListQuery], notes: NoteListQuery?) {
        var violations = FieldViolations()
        violations.check(
            taskLists.count <= TasksService.maximumPanelTaskLists, field: "task_lists",
            "at most \(TasksService.maximumPanelTaskLists) lists (the widget's tabs)")
        var queries: [TaskListQuery] = []
        for (index, list) in taskLists.prefix(TasksService.maximumPanelTaskLists).enumerated() {
            if let query = try violations.collect(
                path: "task_lists[\(index)].", { () throws(RPCError) in try list.validated(managerID: managerID) })
            {
                queries.append(query)
            }
        }
        var notesQuery: NoteListQuery? = nil
        if let notes {
            notesQuery = try violations.collect(path: "notes.", { () throws(RPCError) in try notes.validated() })
        }
        try violations.throwIfAny()
        return (queries, notesQuery)
    }
}
