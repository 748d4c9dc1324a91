import ChatPanelProto
import Testing

/// View messages share their field numbers with the messages they view, so the gateway reads
/// only what it routes on and forwards the rest as encoded: a whole card's bytes decode as its
/// keys; GetPanelData's parts come out as the bytes of their messages; a TasksWidgetDataView
/// encodes to the bytes of the TasksWidgetData it stands for.
@Suite struct ViewMessageTests {
    private static func card(clientID: Int64?) -> ClientsV1.ClientCard {
        var card = ClientsV1.ClientCard()
        var dialog = ClientsV1.Dialog()
        dialog.dialogID = "d-42"
        dialog.channel = "site"
        dialog.externalLogin = "visitor-7"
        dialog.displayName = "Анна Смирнова"
        dialog.phone = "+7 916 123-45-67"
        dialog.email = "anna@example.com"
        dialog.clientID = clientID
        card.dialog = dialog
        if let clientID {
            var client = ClientsV1.Client()
            client.clientID = clientID
            client.firstName = "Анна"
            client.lastName = "Смирнова"
            var phone = ClientsV1.Phone()
            phone.number = "+7 916 123-45-67"
            phone.normalized = "79161234567"
            client.phones = [phone, phone]
            card.client = client
            card.shownPhone = phone
            card.otherPhoneCount = 1
        }
        var field = ClientsV1.FieldValue()
        field.value = "1987-04-12"
        field.displayValue = "12.04.1987"
        card.fields = [field, field, field]
        card.canSaveClient = clientID == nil
        return card
    }

    @Test func aCardsBytesDecodeAsItsKeys() throws {
        let bytes = try Self.card(clientID: 1_000_001).serializedBytes()
        let keys = try ClientsV1.ClientCardKeys(serializedBytes: bytes)
        #expect(keys.client?.clientID == 1_000_001)
        #expect(keys.dialog?.dialogID == "d-42")
        #expect(keys.dialog?.channel == "site")
        #expect(keys.dialog?.externalLogin == "visitor-7")
    }

    @Test func aCardWithoutAClientHasNoClientKey() throws {
        let keys = try ClientsV1.ClientCardKeys(serializedBytes: try Self.card(clientID: nil).serializedBytes())
        #expect(keys.client == nil)
        #expect(keys.dialog?.dialogID == "d-42")
    }

    private static func taskList(_ titles: [String]) -> TasksV1.ListTasksResponse {
        var list = TasksV1.ListTasksResponse()
        list.tasks = titles.enumerated().map { index, title in
            var task = TasksV1.Task()
            task.taskID = Int64(index + 1)
            task.title = title
            return task
        }
        return list
    }

    @Test(arguments: [false, true])
    func getPanelDataPartsComeOutAsTheirOwnBytes(withNotes: Bool) throws {
        var response = TasksV1.GetPanelDataResponse()
        response.taskLists = [Self.taskList(["позвонить", "отправить КП"]), Self.taskList([])]
        if withNotes {
            var notes = TasksV1.ListNotesResponse()
            var note = TasksV1.Note()
            note.noteID = 9
            note.text = "просил перезвонить после 18:00"
            notes.notes = [note]
            response.notes = notes
        }
        let view = try TasksV1.GetPanelDataResponseView(serializedBytes: try response.serializedBytes())
        #expect(view.taskLists.count == 2)
        #expect(try TasksV1.ListTasksResponse(serializedBytes: view.taskLists[0]) == response.taskLists[0])
        #expect(view.taskLists[1].isEmpty)
        #expect(try view.notes.map { try TasksV1.ListNotesResponse(serializedBytes: $0) } == response.notes)

        // The widget's data is the bytes the decoded lists would encode to, an empty "mine"
        // list kept present.
        var data = GatewayV1.TasksWidgetData()
        data.all = response.taskLists.first
        data.mine = response.taskLists.dropFirst().first
        var viewData = GatewayV1.TasksWidgetDataView()
        viewData.all = view.taskLists.first
        viewData.mine = view.taskLists.dropFirst().first
        #expect(try viewData.serializedBytes() == data.serializedBytes())
        #expect(try GatewayV1.TasksWidgetData(serializedBytes: try viewData.serializedBytes()).mine != nil)
    }
}
