import ChatPanelProto
import ChatPanelRPC

extension TasksService {
    /// CreateTask, GetTask, ListTasks, UpdateTask, CompleteTask, ReopenTask: each needs
    /// RIGHT_TASKS (TASK-4).
    static func registerTaskMethods(on router: inout RPCRouter, store: TasksStore) {
        router.register(TasksV1.Tasks.createTask) { request, context in
            try context.require(.tasks, for: "creating a task")
            let author = try context.managerID(for: "creating a task")
            if request.validateOnly {
                // A check only: client_id 0 without an order number stands for the client about
                // to be saved (the gateway's TASK-2 flow), so it is checked as if it were set.
                var check = request
                if check.clientID == 0, check.orderNumber.isEmpty { check.clientID = Int64.max }
                _ = try check.validated(authorID: author)
                try context.require(.tasks, for: "creating a task")
                return TasksV1.CreateTaskResponse()
            }
            let task = try request.validated(authorID: author)
            return try await store.createTask(task, requestID: context.requestID)
        }
        router.register(TasksV1.Tasks.getTask) { request, context in
            try context.require(.tasks, for: "reading a task")
            let id = try validatedTaskID(request.taskID)
            guard let response = try await store.task(id: id) else { throw RPCError.notFound("task \(id) does not exist") }
            return response
        }
        router.register(TasksV1.Tasks.listTasks) { request, context in
            try context.require(.tasks, for: "listing tasks")
            if request.view == .mine { _ = try context.managerID(for: "listing my tasks") }
            let query = try request.validated(managerID: context.caller.managerID)
            return try await store.listTasks(query)
        }
        router.register(TasksV1.Tasks.updateTask) { request, context in
            try context.require(.tasks, for: "editing a task")
            let changes = try request.validated()
            return try await store.updateTask(id: request.taskID, changes, requestID: context.requestID)
        }
        router.register(TasksV1.Tasks.completeTask) { request, context in
            try context.require(.tasks, for: "completing a task")
            let manager = try context.managerID(for: "completing a task")
            let id = try validatedTaskID(request.taskID)
            return try await store.completeTask(id: id, by: manager, requestID: context.requestID)
        }
        router.register(TasksV1.Tasks.reopenTask) { request, context in
            try context.require(.tasks, for: "reopening a task")
            let id = try validatedTaskID(request.taskID)
            return try await store.reopenTask(id: id, requestID: context.requestID)
        }
    }
}
