import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import Gateway
import Testing

/// GetPanel end to end with every service up: the base client block, each widget's state and
/// data, and the layout's order (PANEL-1, PANEL-4, PANEL-5).
@Suite("Gateway: the composed panel")
struct PanelCompositionTests {
    @Test("a full panel: client, tags, tasks (All and Mine), newest 5 notes, not-configured and disabled widgets in layout order")
    func fullPanel() async throws {
        try await withGateway { h in
            let clientID = try await h.savedClient("d-full", name: "Иван Петров", phone: "+79001234567")
            try await h.tag("VIP", on: clientID)
            try await h.task("Call back", client: clientID, performer: As.manager.managerID)
            try await h.task("Send the invoice", client: clientID, performer: 99)
            for number in 1...7 { try await h.note("note \(number)", client: clientID) }

            let panel = try await h.panel("d-full")
            #expect(panel.dialogID == "d-full")
            #expect(panel.managerID == As.manager.managerID)
            #expect(panel.layoutVersion == 0)

            let base = try #require(panel.client)
            #expect(base.kind == .client)
            #expect(base.state == .ok)
            #expect(base.dataType == "chatpanel.clients.v1.ClientCard")
            let card = try base.card()
            #expect(card.client?.clientID == clientID)
            #expect(card.client?.tags.map { $0.tag?.name ?? "" } == ["VIP"])

            #expect(panel.widgets.map(\.kind) == GatewayStore.defaultWidgetOrder)

            let tags = try #require(panel.widget(.tags))
            #expect(tags.state == .ok)
            let tagsCard = try tags.card()
            #expect(tagsCard.client?.tags.map { $0.tag?.name ?? "" } == ["VIP"])

            let tasks = try #require(panel.widget(.tasks))
            #expect(tasks.state == .ok, "\(tasks.reason)")
            #expect(tasks.dataType == "chatpanel.gateway.v1.TasksWidgetData")
            let tasksData = try tasks.tasksData()
            #expect(Set(tasksData.all?.tasks.map(\.title) ?? []) == ["Call back", "Send the invoice"])
            #expect(tasksData.mine?.tasks.map(\.title) == ["Call back"])

            let notes = try #require(panel.widget(.notes))
            #expect(notes.state == .ok, "\(notes.reason)")
            #expect(notes.dataType == "chatpanel.tasks.v1.ListNotesResponse")
            let notesData = try notes.notesData()
            #expect(notesData.notes.map(\.text) == ["note 7", "note 6", "note 5", "note 4", "note 3"])

            for kind: GatewayV1.WidgetKind in [.products, .order, .cart] {
                let widget = try #require(panel.widget(kind))
                #expect(widget.state == .unavailable, "\(kind)")
                #expect(widget.reason == "not configured", "\(kind)")
                #expect(widget.data.isEmpty)
            }
            for kind: GatewayV1.WidgetKind in [.summary, .visit] {
                let widget = try #require(panel.widget(kind))
                #expect(widget.state == .disabled, "\(kind)")
                #expect(!widget.reason.isEmpty)
            }
        }
    }

    @Test("a dialog whose contact is not saved: the client block is OK without a client, tasks and notes empty")
    func dialogWithoutClient() async throws {
        try await withGateway { h in
            let upserted = try await h.dialog("d-new", name: "Мария")
            #expect(upserted.autoSavedClientID == nil)

            let panel = try await h.panel("d-new")
            let base = try #require(panel.client)
            #expect(base.state == .ok)
            let card = try base.card()
            #expect(card.client == nil)
            #expect(card.canSaveClient)
            #expect(card.dialog?.dialogID == "d-new")
            #expect(!base.reason.isEmpty)

            let tasks = try #require(panel.widget(.tasks))
            #expect(tasks.state == .ok)
            let tasksData = try tasks.tasksData()
            #expect(tasksData.all?.tasks.isEmpty ?? true)
            let notes = try #require(panel.widget(.notes))
            #expect(notes.state == .ok)
            #expect(try notes.notesData().notes.isEmpty)
        }
    }

    @Test("a panel asked for again after its dialog moved to another client, or got its first, shows the new client's tasks and notes")
    func panelAfterTheDialogsClientChanged() async throws {
        try await withGateway { h in
            let first = try await h.savedClient("d-moved", name: "Иван Петров")
            try await h.task("First's task", client: first, performer: As.manager.managerID)
            try await h.note("First's note", client: first)
            let second = try await h.savedClient("d-other", name: "Пётр Иванов")
            try await h.task("Second's task", client: second, performer: As.manager.managerID)
            try await h.note("Second's note", client: second)
            try await h.dialog("d-unsaved", name: "Мария")

            func shown(_ dialogID: String) async throws -> (client: Int64?, tasks: [String], notes: [String]) {
                let panel = try await h.panel(dialogID)
                let tasks = try #require(panel.widget(.tasks))
                let notes = try #require(panel.widget(.notes))
                #expect(tasks.state == .ok && notes.state == .ok, "\(tasks.reason) \(notes.reason)")
                let client = try #require(panel.client).card().client?.clientID
                let titles = try tasks.tasksData().all?.tasks.map(\.title) ?? []
                return (client, titles, try notes.notesData().notes.map(\.text))
            }
            func hints(_ outcome: String) async throws -> Double {
                let metrics = try await h.call(MetricsV1.Metrics.scrape, MetricsV1.ScrapeRequest()).text
                return sample(metrics, "chatpanel_gateway_panel_key_hints_total{outcome=\"\(outcome)\"}")
            }
            // (Other suites in this process only add to the counters.)
            let keptBefore = try await hints("kept")
            // Asked for twice: the second panel asks for the tasks widgets with the keys the
            // first card had, while the card is read.
            for _ in 0..<2 {
                let panel = try await shown("d-moved")
                #expect(panel.client == first && panel.tasks == ["First's task"] && panel.notes == ["First's note"])
                #expect(try await shown("d-unsaved") == (nil, [], []))
            }
            #expect(try await hints("kept") >= keptBefore + 2)
            let askedAgainBefore = try await hints("asked_again")
            var link = ClientsV1.LinkDialogRequest()
            link.dialogID = "d-moved"
            link.clientID = second
            _ = try await h.clients(ClientsV1.Clients.linkDialog, link)
            var save = ClientsV1.SaveClientFromDialogRequest()
            save.dialogID = "d-unsaved"
            let saved = try #require(try await h.clients(ClientsV1.Clients.saveClientFromDialog, save).client?.clientID)
            try await h.note("Saved one's note", client: saved)
            for _ in 0..<2 {
                let moved = try await shown("d-moved")
                #expect(moved.client == second && moved.tasks == ["Second's task"] && moved.notes == ["Second's note"])
                let unsaved = try await shown("d-unsaved")
                #expect(unsaved.client == saved && unsaved.tasks.isEmpty && unsaved.notes == ["Saved one's note"])
            }
            #expect(try await hints("asked_again") >= askedAgainBefore + 2)
        }
    }

    @Test("an unknown dialog is NOT_FOUND; an empty dialog id is INVALID_ARGUMENT")
    func badDialogs() async throws {
        try await withGateway { h in
            await expectError(.notFound) { try await h.panel("d-nobody") }
            await expectError(.invalidArgument, field: "dialog_id") { try await h.panel("") }
        }
    }
}
