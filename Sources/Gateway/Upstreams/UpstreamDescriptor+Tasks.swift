import ChatPanelProto
import ChatPanelRPC

extension UpstreamDescriptor {
    /// The tasks service: a client's tasks and notes. It composes the Tasks and Notes widgets
    /// from one GetPanelData call (one snapshot), and moves the merged client's tasks and notes
    /// in a merge.
    public static let tasks = UpstreamDescriptor(
        name: "tasks", environmentKey: "CHATPANEL_TASKS_SOCKET",
        actions: tasksActions,
        widgets: WidgetSource(
            widgets: [
                WidgetSource.Widget(
                    kind: .tasks, dataType: "chatpanel.gateway.v1.TasksWidgetData", right: .tasks,
                    forbiddenReason: "tasks access is restricted for this manager"),
                WidgetSource.Widget(kind: .notes, dataType: "chatpanel.tasks.v1.ListNotesResponse"),
            ],
            callsUpstream: true, start: fillTasksWidgets),
        mergeStep: MergeStepDescriptor(name: "move tasks and notes") { tasks, context in
            var request = TasksV1.MoveClientRecordsRequest()
            request.fromClientID = context.mergedClientID
            request.toClientID = context.survivorClientID
            _ = try await tasks.call(
                TasksV1.Tasks.moveClientRecords, request,
                options: RPCCallOptions(timeout: .seconds(30), caller: context.caller, requestID: context.requestID))
        })

    private static var tasksActions: [GatewayAction] {
        typealias Tasks = TasksV1.Tasks
        return [
            // The Tasks widget's actions: refused while the chat settings switch the widget off.
            // A task bound to an order (client_id 0 with order_number) is not a client's; client_id 0
            // without an order number is the dialog's client, saved first when needed (TASK-2).
            GatewayAction(
                Tasks.createTask, right: .tasks, refresh: [.tasks], bind: [.client(\.clientID, field: "client_id", fillWhenZero: false)],
                requires: .tasksWidget),
            GatewayAction(Tasks.updateTask, right: .tasks, refresh: [.tasks], bind: [.task(\.taskID)], requires: .tasksWidget),
            GatewayAction(
                Tasks.completeTask, right: .tasks, refresh: [.tasks], bind: [.task(\.taskID)],
                completionTime: { response in response.task.map(\.completedAtMs) }, requires: .tasksWidget),
            GatewayAction(Tasks.reopenTask, right: .tasks, refresh: [.tasks], bind: [.task(\.taskID)], requires: .tasksWidget),
            GatewayAction(Tasks.getTask, right: .tasks, bind: [.task(\.taskID)], requires: .tasksWidget),
            GatewayAction(Tasks.listTasks, right: .tasks, bind: [.client(\.clientID, field: "client_id")], requires: .tasksWidget),
            // The Notes widget's: no setting switches it off.
            GatewayAction(Tasks.createNote, right: nil, refresh: [.notes], bind: [.client(\.clientID, field: "client_id")]),
            GatewayAction(Tasks.deleteNote, right: nil, refresh: [.notes], bind: [.note(\.noteID)]),
            GatewayAction(Tasks.listNotes, right: nil, bind: [.client(\.clientID, field: "client_id")]),
            GatewayAction(Tasks.getNote, right: nil, bind: [.note(\.noteID)]),
        ]
    }

    /// Fills the Tasks and Notes widgets from one GetPanelData call: the tasks widget gets the
    /// first page of All and Mine (with the tasks completed since the action's time, TASK-3),
    /// the notes widget the newest 5.
    @Sendable
    private static func fillTasksWidgets(
        _ tasks: Upstream, _ request: WidgetSource.Request, _ widgets: [GatewayV1.Widget]
    ) -> WidgetSource.Filling {
        var widgets = widgets
        guard let client = request.card.client else {
            for index in widgets.indices {
                if widgets[index].kind == .tasks {
                    widgets[index].data = (try? GatewayV1.TasksWidgetData().serializedBytes()) ?? []
                    widgets[index].reason = "the dialog has no client yet; creating a task saves it"
                } else {
                    widgets[index].data = (try? TasksV1.ListNotesResponse().serializedBytes()) ?? []
                    widgets[index].reason = "the dialog has no client yet"
                }
            }
            return .filled(widgets)
        }
        var panelData = TasksV1.GetPanelDataRequest()
        if widgets.contains(where: { $0.kind == .tasks }) {
            panelData.taskLists = [TasksV1.TaskView.all, .mine].map { view in
                var list = TasksV1.ListTasksRequest()
                list.clientID = client.clientID
                list.view = view
                list.pageSize = 10
                list.completedSinceMs = request.completedTasksSinceMs
                return list
            }
        }
        if widgets.contains(where: { $0.kind == .notes }) {
            var notes = TasksV1.ListNotesRequest()
            notes.clientID = client.clientID
            notes.pageSize = 5
            panelData.notes = notes
        }
        // The lists and the notes page are forwarded as the tasks service encoded them.
        return .calling(
            tasks, TasksV1.Tasks.getPanelData, panelData, for: request, widgets, answerAs: TasksV1.GetPanelDataResponseView.self
        ) { response, widget in
            if widget.kind == .tasks {
                var data = GatewayV1.TasksWidgetDataView()
                data.all = response.taskLists.first
                data.mine = response.taskLists.dropFirst().first
                widget.data = try data.serializedBytes()
            } else {
                widget.data = response.notes ?? []
            }
        }
    }
}

extension RequestBinding {
    /// A task id field: the task must be the dialog's client's (a task bound to an order is no client's).
    static func task(_ keyPath: any KeyPath<Request, Int64> & Sendable) -> Self {
        record(keyPath, field: "task_id", kind: "task") { id, scope in
            var request = TasksV1.GetTaskRequest()
            request.taskID = id
            return try await scope.upstream.call(TasksV1.Tasks.getTask, request, options: scope.options).task?.clientID
        }
    }

    /// A note id field: the note must be the dialog's client's.
    static func note(_ keyPath: any KeyPath<Request, Int64> & Sendable) -> Self {
        record(keyPath, field: "note_id", kind: "note") { id, scope in
            var request = TasksV1.GetNoteRequest()
            request.noteID = id
            return try await scope.upstream.call(TasksV1.Tasks.getNote, request, options: scope.options).note?.clientID
        }
    }
}
