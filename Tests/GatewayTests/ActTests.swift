import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import Gateway
import Testing

/// Widget actions through the gateway: forwarded with the caller's identity, answered with
/// the service's response and the refreshed widgets; rights checked again; only catalogued
/// methods reachable; TASK-2's save-the-client-first.
@Suite("Gateway: actions")
struct ActTests {
    @Test("CreateTag and AttachTag through the gateway: the service's answer and the refreshed client and tags widgets")
    func attachTag() async throws {
        try await withGateway { h in
            let clientID = try await h.savedClient("d-act")
            var create = ClientsV1.CreateTagRequest()
            create.name = "Опт"
            let created = try await h.act(dialog: "d-act", ClientsV1.Clients.createTag.path, create)
            let tag = try ClientsV1.Tag(serializedBytes: created.response)
            #expect(tag.name == "Опт")
            #expect(created.refreshed.isEmpty)

            var attach = ClientsV1.AttachTagRequest()
            attach.clientID = clientID
            attach.tagID = tag.tagID
            let attached = try await h.act(dialog: "d-act", ClientsV1.Clients.attachTag.path, attach, requestID: "attach-1")
            let tags = try ClientsV1.ClientTagsResponse(serializedBytes: attached.response)
            #expect(tags.clientID == clientID)
            #expect(tags.tags.map { $0.tag?.tagID ?? 0 } == [tag.tagID])

            #expect(attached.refreshed.map(\.kind) == [.client, .tags])
            for widget in attached.refreshed {
                #expect(widget.state == .ok)
                let card = try widget.card()
                #expect(card.client?.tags.map { $0.tag?.name ?? "" } == ["Опт"])
            }
        }
    }

    @Test("a method outside the catalog is INVALID_ARGUMENT on field method")
    func unknownMethod() async throws {
        try await withGateway { h in
            let survivor = try await h.savedClient("d-m1", name: "Анна")
            let merged = try await h.savedClient("d-m2", name: "Анна")
            var merge = ClientsV1.MergeClientsRequest()
            merge.survivorClientID = survivor
            merge.mergedClientID = merged
            // Merging goes through the workflow, never straight to the clients service.
            await expectError(.invalidArgument, field: "method") {
                try await h.act(dialog: "d-m1", ClientsV1.Clients.mergeClients.path, merge)
            }
            await expectError(.invalidArgument, field: "method") {
                try await h.act(dialog: "d-m1", "/chatpanel.clients.v1.Clients/NoSuchMethod", merge)
            }
            let card = try await h.panel("d-m2").client?.card()
            #expect(card?.client?.clientID == merged)
        }
    }

    @Test("CreateTask for a dialog whose contact is not saved saves the client first (TASK-2)")
    func createTaskSavesClient() async throws {
        try await withGateway { h in
            try await h.dialog("d-unsaved", name: "Пётр Сидоров")
            let before = try await h.panel("d-unsaved").client?.card()
            #expect(before?.client == nil)

            let response = try await h.act(
                dialog: "d-unsaved", TasksV1.Tasks.createTask.path, Seed.task("Call back", client: 0, performer: As.manager.managerID),
                requestID: "create-task-1")
            let created = try TasksV1.CreateTaskResponse(serializedBytes: response.response)
            let task = try #require(created.task)
            #expect(task.clientID > 0)

            let after = try await h.panel("d-unsaved")
            let card = try #require(after.client).card()
            #expect(card.client?.clientID == task.clientID)
            #expect(try after.widget(.tasks)?.tasksData().all?.tasks.map(\.taskID) == [task.taskID])

            #expect(response.refreshed.map(\.kind) == [.tasks])
            let refreshed = try #require(response.refreshed.first)
            #expect(refreshed.state == .ok)
            #expect(try refreshed.tasksData().all?.tasks.map(\.taskID) == [task.taskID])
        }
    }

    @Test("a caller without RIGHT_EDIT_CLIENTS is refused by the gateway")
    func refusedWithoutRight() async throws {
        try await withGateway { h in
            let clientID = try await h.savedClient("d-refused")
            let (_, attach) = try await h.newTag("VIP", for: clientID)
            let error = await expectError(.permissionDenied) {
                try await h.act(dialog: "d-refused", ClientsV1.Clients.attachTag.path, attach, as: As.reader)
            }
            // The gateway's own refusal names the forwarded method.
            #expect(error?.message.contains(ClientsV1.Clients.attachTag.path) == true, "\(String(describing: error))")
            let card = try await h.panel("d-refused").client?.card()
            #expect(card?.client?.tags.isEmpty == true)
        }
    }
}
