public import ChatPanelProto
public import ChatPanelRPC

extension TasksV1.CreateTaskRequest {
    /// The task to create for `authorID`, or INVALID_ARGUMENT naming every bad field.
    public func validated(authorID: Int64) throws(RPCError) -> NewTask {
        var violations = FieldViolations()
        var subject: TaskSubject? = nil
        switch (clientID != 0, !orderNumber.isEmpty) {
        case (true, true):
            violations.add(field: "order_number", "give client_id or order_number, not both")
        case (false, false):
            violations.add(field: "client_id", "is required (or order_number when the task has no client)")
        case (true, false):
            violations.checkID(clientID, field: "client_id")
            subject = .client(clientID)
        case (false, true):
            violations.checkText(orderNumber, field: "order_number", TaskLimits.orderNumber)
            subject = .order(orderNumber)
        }
        violations.checkText(title, field: "title", TaskLimits.title)
        violations.checkText(text, field: "text", TaskLimits.text)
        let resolved = deadline?.validated(field: "deadline", into: &violations)
        violations.check(performerID >= 0, field: "performer_id", "must be positive (or 0 for the caller)")
        try violations.throwIfAny()
        return NewTask(
            subject: subject!, title: title, text: text, deadline: resolved, performerID: performerID == 0 ? authorID : performerID,
            authorID: authorID)
    }
}

extension TasksV1.UpdateTaskRequest {
    /// The edit, or INVALID_ARGUMENT naming every bad field.
    public func validated() throws(RPCError) -> TaskChanges {
        var violations = FieldViolations()
        violations.checkID(taskID, field: "task_id")
        if let title { violations.checkText(title, field: "title", TaskLimits.title) }
        if let text { violations.checkText(text, field: "text", TaskLimits.text) }
        var change = TaskChanges.DeadlineChange.keep
        if let deadline {
            if clearDeadline {
                violations.add(field: "clear_deadline", "do not set deadline with clear_deadline")
            } else if let resolved = deadline.validated(field: "deadline", into: &violations) {
                change = .set(resolved)
            }
        } else if clearDeadline {
            change = .clear
        }
        if let performerID { violations.checkID(performerID, field: "performer_id") }
        try violations.throwIfAny()
        return TaskChanges(title: title, text: text, deadline: change, performerID: performerID, expectedVersion: expectedVersion)
    }
}

extension TasksV1.ListTasksRequest {
    /// The page to list for `managerID`, or INVALID_ARGUMENT naming every bad field.
    public func validated(managerID: Int64) throws(RPCError) -> TaskListQuery {
        var violations = FieldViolations()
        violations.checkID(clientID, field: "client_id")
        violations.check(TasksV1.TaskView.allCases.contains(view), field: "view", "must be TASK_VIEW_ALL or TASK_VIEW_MINE")
        violations.check(
            pageSize <= TaskLimits.maximumPageSize, field: "page_size", "must be at most \(TaskLimits.maximumPageSize)")
        var cursor: TaskCursor? = nil
        if !pageToken.isEmpty {
            cursor = TaskCursor(token: pageToken)
            if let found = cursor {
                violations.check(
                    found.clientID == clientID && found.view == view, field: "page_token",
                    "belongs to another listing (client_id and view must stay the same)")
            } else {
                violations.add(field: "page_token", "is not a token from ListTasks")
            }
        }
        if let completedSinceMs { violations.check(completedSinceMs >= 0, field: "completed_since_ms", "must not be negative") }
        try violations.throwIfAny()
        return TaskListQuery(
            clientID: clientID, view: view, managerID: managerID,
            pageSize: pageSize == 0 ? TaskLimits.defaultPageSize : Int(pageSize), after: cursor, completedSince: completedSinceMs)
    }
}

/// Checks the id of a request naming one task.
func validatedTaskID(_ taskID: Int64) throws(RPCError) -> Int64 {
    var violations = FieldViolations()
    violations.checkID(taskID, field: "task_id")
    try violations.throwIfAny()
    return taskID
}
