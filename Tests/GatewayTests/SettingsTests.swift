import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import Gateway
import Testing

/// Settings updates change only the settings they carry; rights come before validation.
@Suite("Gateway: settings updates")
struct SettingsTests {
    @Test("an update carrying one setting changes only that one")
    func partialUpdate() async throws {
        try await withGateway { h in
            var summaryOn = GatewayV1.UpdateSettingsRequest()
            summaryOn.summaryBotEnabled = true
            let updated = try await h.call(GatewayV1.Gateway.updateSettings, summaryOn, as: As.admin)
            #expect(updated.tasksWidgetEnabled)
            #expect(updated.summaryBotEnabled)
            #expect(!updated.siteChatEnabled)

            var tasksOff = GatewayV1.UpdateSettingsRequest()
            tasksOff.tasksWidgetEnabled = false
            _ = try await h.call(GatewayV1.Gateway.updateSettings, tasksOff, as: As.admin)
            let stored = try await h.call(GatewayV1.Gateway.getSettings, GatewayV1.GetSettingsRequest())
            #expect(!stored.tasksWidgetEnabled)
            #expect(stored.summaryBotEnabled)
            #expect(!stored.siteChatEnabled)

            let unchanged = try await h.call(GatewayV1.Gateway.updateSettings, GatewayV1.UpdateSettingsRequest(), as: As.admin)
            #expect(unchanged == stored)
        }
    }

    @Test("the full settings and single fields together are INVALID_ARGUMENT; a non-administrator is refused before that")
    func bothForms() async throws {
        try await withGateway { h in
            var both = GatewayV1.UpdateSettingsRequest()
            both.settings = GatewayV1.Settings()
            both.siteChatEnabled = true
            await expectError(.permissionDenied) { try await h.call(GatewayV1.Gateway.updateSettings, both, as: As.manager) }
            await expectError(.invalidArgument, field: "settings") {
                try await h.call(GatewayV1.Gateway.updateSettings, both, as: As.admin)
            }
            let stored = try await h.call(GatewayV1.Gateway.getSettings, GatewayV1.GetSettingsRequest())
            #expect(stored.tasksWidgetEnabled)
            #expect(!stored.siteChatEnabled)
        }
    }
}

/// The caller's rights are checked before the request is validated: a caller without the
/// right learns nothing about what else is wrong with the request.
@Suite("Gateway: rights before validation")
struct RightsBeforeValidationTests {
    @Test("MergeClients: an invalid request from a caller without RIGHT_EDIT_CLIENTS is PERMISSION_DENIED")
    func mergeRightsFirst() async throws {
        try await withGateway { h in
            await expectError(.permissionDenied) {
                try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: 5, merged: 5), as: As.reader)
            }
            await expectError(.permissionDenied) {
                try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: 0, merged: 0), as: As.reader)
            }
        }
    }

    @Test("Act: an undecodable request from a caller without the action's right is PERMISSION_DENIED")
    func actRightsFirst() async throws {
        try await withGateway { h in
            var act = GatewayV1.ActRequest()
            act.dialogID = ""
            act.method = ClientsV1.Clients.attachTag.path
            act.request = [0xFF, 0xFF, 0xFF]
            await expectError(.permissionDenied) { try await h.call(GatewayV1.Gateway.act, act, as: As.reader) }
            await expectError(.invalidArgument) { try await h.call(GatewayV1.Gateway.act, act, as: As.manager) }
        }
    }

    @Test("Act: a string of the inner request that is not UTF-8, or holds NUL, is named under request")
    func actNamesTheInnerField() async throws {
        try await withGateway { h in
            let clientID = try await h.savedClient("d-inner")
            let note = try Seed.note("Zq", client: clientID).serializedBytes()
            let at = try #require(note.firstRange(of: Array("Zq".utf8)))
            for (bad, reason) in [([UInt8(0xC3), 0x28], "UTF-8"), ([0x61, 0x00], "NUL")] {
                var act = GatewayV1.ActRequest()
                act.dialogID = "d-inner"
                act.method = TasksV1.Tasks.createNote.path
                act.request = note
                act.request.replaceSubrange(at, with: bad)
                let error = await expectError(.invalidArgument, fields: ["request.text"]) {
                    try await h.call(GatewayV1.Gateway.act, act, as: As.manager)
                }
                #expect(error?.violations.first?.description.contains(reason) == true)
            }
        }
    }
}

/// An action of a widget the settings switch off is refused by `Act`, as the panel shows the
/// widget DISABLED: a task's while the tasks widget is off (TASK-4), the summary's while the
/// summary bot is off (see `InsightsWidgetsTests`). Rights come first.
@Suite("Gateway: actions of a switched-off widget")
struct SwitchedOffWidgetActionTests {
    private func tasksWidget(_ on: Bool, _ h: GatewayHarness) async throws {
        var request = GatewayV1.UpdateSettingsRequest()
        request.tasksWidgetEnabled = on
        _ = try await h.call(GatewayV1.Gateway.updateSettings, request, as: As.admin)
    }

    @Test("while the tasks widget is off every task action is FAILED_PRECONDITION and changes nothing; notes still work")
    func taskActionsRefusedWhileTheTasksWidgetIsOff() async throws {
        try await withGateway { h in
            let clientID = try await h.savedClient("d-tasks-off")
            let task = try await h.task("Call back", client: clientID, performer: As.manager.managerID)
            try await tasksWidget(false, h)

            var create = TasksV1.CreateTaskRequest()
            create.title = "Send the invoice"
            var update = TasksV1.UpdateTaskRequest()
            update.taskID = task.taskID
            update.title = "Renamed"
            var getTask = TasksV1.GetTaskRequest()
            getTask.taskID = task.taskID
            var reopen = TasksV1.ReopenTaskRequest()
            reopen.taskID = task.taskID
            var list = TasksV1.ListTasksRequest()
            list.clientID = clientID
            let refused: [(String, any ProtoMessage)] = [
                (TasksV1.Tasks.createTask.path, create), (TasksV1.Tasks.updateTask.path, update),
                (TasksV1.Tasks.completeTask.path, Seed.completeTask(task.taskID)), (TasksV1.Tasks.reopenTask.path, reopen),
                (TasksV1.Tasks.getTask.path, getTask), (TasksV1.Tasks.listTasks.path, list),
            ]
            for (method, request) in refused {
                let error = await expectError(.failedPrecondition) {
                    _ = try await h.act(dialog: "d-tasks-off", method, request, requestID: "off-\(method)")
                }
                #expect(error?.message.contains("the tasks widget is switched off") == true, "\(method): \(String(describing: error))")
            }
            // Nothing reached the tasks service.
            let tasks = try await h.tasksOf(clientID)
            #expect(tasks.map(\.taskID) == [task.taskID] && tasks.first?.title == "Call back" && tasks.first?.status == .open)
            // The rights come first: a manager without the tasks right is refused for that.
            await expectError(.permissionDenied) {
                _ = try await h.act(dialog: "d-tasks-off", TasksV1.Tasks.completeTask.path, Seed.completeTask(task.taskID), as: As.noTasks)
            }

            // The Notes widget stays on, and so do its actions.
            let noted = try await h.act(
                dialog: "d-tasks-off", TasksV1.Tasks.createNote.path, Seed.note("asked for a call", client: clientID))
            let notes = try #require(noted.refreshed.first { $0.kind == .notes })
            #expect(notes.state == .ok)
            #expect(try notes.notesData().notes.map(\.text) == ["asked for a call"])
            var listNotes = TasksV1.ListNotesRequest()
            listNotes.clientID = clientID
            let listed = try await h.act(dialog: "d-tasks-off", TasksV1.Tasks.listNotes.path, listNotes)
            #expect(try TasksV1.ListNotesResponse(serializedBytes: listed.response).notes.count == 1)

            // Switched on again, the same action is carried out.
            try await tasksWidget(true, h)
            let completed = try await h.act(dialog: "d-tasks-off", TasksV1.Tasks.completeTask.path, Seed.completeTask(task.taskID))
            #expect(try TasksV1.CompleteTaskResponse(serializedBytes: completed.response).task?.status == .completed)
            #expect(completed.refreshed.first { $0.kind == .tasks }?.state == .ok)
        }
    }
}
