import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import Foundation

/// `chatpanelctl demo`: loads a realistic demo data set through the services' RPCs.
///
/// Every write carries a fixed request id (`demo-v1-…`), and steps whose result is already
/// there are skipped, so running it again is harmless.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Loads demo clients, dialogs, tags, tasks, notes, a catalog, a product list, a cart, orders, a conversation and visits through the services.",
        discussion: """
            Calls the clients and tasks services as manager 1 with every right (administrator \
            included): 8 dialogs on telegram, whatsapp and site, most saved as clients, two \
            clients sharing a phone (a duplicate), tags with a pinned one, an address, pinned \
            fields, tasks (one overdue, one the manager's own) and notes on the main client; the main \
            dialog's conversation (a few hundred messages) and its summary, page views with UTM tags, \
            and the summary bot and site chat modules switched on (through the gateway). \
            Writes the main dialog's id to <state-dir>/demo-dialog. Safe to run again.
            """)

    @Option(help: "The folder of the processes' sockets; demo-dialog is written here.") var stateDir = "run/state"
    @Option(help: "The clients service's socket (default <state-dir>/clients.sock).") var clientsSocket: String?
    @Option(help: "The tasks service's socket (default <state-dir>/tasks.sock).") var tasksSocket: String?
    @Option(help: "The orders service's socket (default <state-dir>/orders.sock).") var ordersSocket: String?
    @Option(help: "The insights service's socket (default <state-dir>/insights.sock).") var insightsSocket: String?
    @Option(help: "The gateway's socket, for the module settings (default <state-dir>/gateway.sock).") var gatewaySocket: String?
    @Option(help: "Call timeout in milliseconds.") var timeoutMs: Int64 = 10_000

    func run() async throws {
        let caller = RPCV1.Caller(managerID: 1, rights: RPCV1.Right.allCases.filter { $0 != .unspecified })
        let clients = makeClient(clientsSocket ?? "\(stateDir)/clients.sock", caller)
        let tasks = makeClient(tasksSocket ?? "\(stateDir)/tasks.sock", caller)
        let orders = makeClient(ordersSocket ?? "\(stateDir)/orders.sock", caller)
        let insights = makeClient(insightsSocket ?? "\(stateDir)/insights.sock", caller)
        let gateway = makeClient(gatewaySocket ?? "\(stateDir)/gateway.sock", caller)
        do {
            let loader = DemoLoader(clients: clients, tasks: tasks)
            let main = try await runCall { try await loader.load() }
            let products = try await runCall { try await DemoOrdersLoader(orders: orders).load(mainClient: main) }
            print("demo catalog loaded: \(products) products and services; a product list, a cart and orders for client #\(main)")
            let summary = try await runCall {
                try await DemoInsightsLoader(insights: insights, gateway: gateway).load(
                    mainDialog: DemoLoader.mainDialog, mainClient: main, siteVisitor: "visitor-5821")
            }
            print("demo conversation loaded: \(summary?.messagesTotal ?? 0) messages, summarized from \(summary?.messagesUsed ?? 0); visits on the site")
            try Data((DemoLoader.mainDialog + "\n").utf8).write(to: URL(fileURLWithPath: "\(stateDir)/demo-dialog"))
            print("demo data loaded: main dialog \(DemoLoader.mainDialog) (client #\(main)); written to \(stateDir)/demo-dialog")
        } catch {
            for client in [clients, tasks, orders, insights, gateway] { await client.close() }
            throw error
        }
        for client in [clients, tasks, orders, insights, gateway] { await client.close() }
    }

    private func makeClient(_ path: String, _ caller: RPCV1.Caller) -> RPCClient {
        var configuration = RPCClientConfiguration(socketPath: path)
        configuration.defaultCaller = caller
        configuration.defaultCallTimeout = .milliseconds(timeoutMs)
        return RPCClient(configuration: configuration)
    }
}

/// The demo data set and how it is written.
struct DemoLoader {
    let clients: RPCClient
    let tasks: RPCClient

    /// The dialog `make run` shows.
    static let mainDialog = "demo-tg-anna"

    /// A demo contact: a dialog, and whether and how it is saved as a client.
    struct Contact {
        let dialog: String
        let channel: String
        let login: String
        let name: String
        let phone: String
        let email: String
        /// (first, last, patronymic) when the contact is saved as a client.
        let saveAs: (String, String, String)?
        /// Tag names, the first pinned when `pinFirst`.
        let tags: [String]
        let pinFirst: Bool
    }

    static let contacts: [Contact] = [
        Contact(
            dialog: mainDialog, channel: "telegram", login: "@anna_smirnova", name: "Анна Смирнова", phone: "+7 916 123-45-67",
            email: "anna.smirnova@mail.ru", saveAs: ("Анна", "Смирнова", "Сергеевна"), tags: ["VIP", "Опт"], pinFirst: true),
        Contact(
            dialog: "demo-wa-petrov", channel: "whatsapp", login: "79035551234", name: "Пётр Петров", phone: "+7 903 555-12-34",
            email: "", saveAs: ("Пётр", "Петров", "Иванович"), tags: ["Новый"], pinFirst: false),
        // Shares Anna's phone (a relative ordering for her): the duplicate hint.
        Contact(
            dialog: "demo-site-kuznetsov", channel: "site", login: "visitor-5821", name: "Иван Кузнецов", phone: "8 (916) 123-45-67",
            email: "ivan.kuznetsov@yandex.ru", saveAs: ("Иван", "Кузнецов", ""), tags: [], pinFirst: false),
        Contact(
            dialog: "demo-tg-olga", channel: "telegram", login: "@olga_v", name: "Ольга Васильева", phone: "+7 921 000-11-22",
            email: "olga.vasilyeva@gmail.com", saveAs: ("Ольга", "Васильева", "Андреевна"), tags: ["Опт", "Новый"], pinFirst: true),
        Contact(
            dialog: "demo-wa-sokolov", channel: "whatsapp", login: "79857778899", name: "Дмитрий Соколов", phone: "+7 985 777-88-99",
            email: "", saveAs: ("Дмитрий", "Соколов", "Олегович"), tags: [], pinFirst: false),
        Contact(
            dialog: "demo-tg-novikov", channel: "telegram", login: "@s_novikov", name: "Сергей Новиков", phone: "+7 926 432-10-98",
            email: "novikov@stroymarket.ru", saveAs: ("Сергей", "Новиков", "Петрович"), tags: ["VIP"], pinFirst: false),
        // Not saved yet: their panels offer "Save client".
        Contact(
            dialog: "demo-site-elena", channel: "site", login: "visitor-7730", name: "Елена", phone: "",
            email: "elena.mikhailova@example.ru", saveAs: nil, tags: [], pinFirst: false),
        Contact(
            dialog: "demo-wa-natalia", channel: "whatsapp", login: "79161112233", name: "Наталья Фёдорова", phone: "+7 916 111-22-33",
            email: "", saveAs: nil, tags: [], pinFirst: false),
    ]

    static let tagNames = ["VIP", "Опт", "Новый"]

    private func options(_ step: String) -> RPCCallOptions { RPCCallOptions(requestID: "demo-v1-\(step)") }

    /// Loads everything; answers the main client's id.
    func load() async throws -> Int64 {
        var tagIDs: [String: Int64] = [:]
        for name in Self.tagNames { tagIDs[name] = try await tag(named: name) }

        var clientIDs: [String: Int64] = [:]
        for contact in Self.contacts {
            if let id = try await record(contact, tagIDs: tagIDs) { clientIDs[contact.dialog] = id }
        }
        guard let main = clientIDs[Self.mainDialog] else { throw ValidationError("the main demo client was not saved") }
        try await mainClientExtras(main)
        try await tasksAndNotes(main, others: clientIDs)
        return main
    }

    /// The tag's id, creating it when missing.
    private func tag(named name: String) async throws -> Int64 {
        var request = ClientsV1.CreateTagRequest()
        request.name = name
        do {
            return try await clients.unary(ClientsV1.Clients.createTag, request, options: options("tag-\(name)")).tagID
        } catch let error as RPCError where error.code == .alreadyExists {
            if let existing = error.decodedDetails(as: ClientsV1.Tag.self) { return existing.tagID }
            throw error
        }
    }

    /// Records the dialog, saves its client and tags it; answers the client's id.
    private func record(_ contact: Contact, tagIDs: [String: Int64]) async throws -> Int64? {
        var upsert = ClientsV1.UpsertDialogRequest()
        upsert.dialogID = contact.dialog
        upsert.channel = contact.channel
        upsert.externalLogin = contact.login
        upsert.displayName = contact.name
        upsert.phone = contact.phone
        upsert.email = contact.email
        let recorded = try await clients.unary(ClientsV1.Clients.upsertDialog, upsert, options: options("dialog-\(contact.dialog)"))
        guard let names = contact.saveAs else { return recorded.dialog?.clientID }

        var clientID = recorded.dialog?.clientID
        if clientID == nil {
            var save = ClientsV1.SaveClientFromDialogRequest()
            save.dialogID = contact.dialog
            save.firstName = names.0
            save.lastName = names.1
            save.patronymic = names.2
            let card = try await clients.unary(ClientsV1.Clients.saveClientFromDialog, save, options: options("save-\(contact.dialog)"))
            clientID = card.client?.clientID
        }
        guard let id = clientID else { return nil }
        let card = try await clients.unary(
            ClientsV1.Clients.getClientCard,
            {
                var r = ClientsV1.GetClientCardRequest(); r.target = .clientID(id); return r
            }())
        let existing = Set(card.client?.tags.compactMap { $0.tag?.tagID } ?? [])
        for (index, name) in contact.tags.enumerated() {
            guard let tagID = tagIDs[name] else { continue }
            if !existing.contains(tagID) {
                var attach = ClientsV1.AttachTagRequest()
                attach.clientID = id
                attach.tagID = tagID
                _ = try await clients.unary(ClientsV1.Clients.attachTag, attach, options: options("attach-\(id)-\(tagID)"))
            }
            if index == 0, contact.pinFirst {
                var pin = ClientsV1.PinTagRequest()
                pin.clientID = id
                pin.tagID = tagID
                pin.pinned = true
                _ = try await clients.unary(ClientsV1.Clients.pinTag, pin, options: options("pin-\(id)-\(tagID)"))
            }
        }
        return id
    }

    /// The main client's address, birthday and a user field, pinned for manager 1.
    private func mainClientExtras(_ id: Int64) async throws {
        var update = ClientsV1.UpdateClientRequest()
        update.clientID = id
        var address = ClientsV1.AddressUpdate()
        address.split = true
        address.postalCode = "125009"
        address.city = "Москва"
        address.street = "ул. Тверская"
        address.house = "7"
        address.flat = "12"
        address.floor = "3"
        update.address = address
        _ = try await clients.unary(ClientsV1.Clients.updateClient, update, options: options("address-\(id)"))

        var birthday = ClientsV1.SetFieldValueRequest()
        birthday.clientID = id
        birthday.code = "birthday"
        birthday.value = "1987-04-12"
        _ = try await clients.unary(ClientsV1.Clients.setFieldValue, birthday, options: options("birthday-\(id)"))

        var field = ClientsV1.CreateFieldRequest()
        field.code = "loyalty_card"
        field.name = "Карта лояльности"
        field.type = .string
        field.editable = true
        do {
            _ = try await clients.unary(ClientsV1.Clients.createField, field, options: options("field-loyalty_card"))
        } catch let error as RPCError where error.code == .alreadyExists {}
        var card = ClientsV1.SetFieldValueRequest()
        card.clientID = id
        card.code = "loyalty_card"
        card.value = "GOLD-004217"
        _ = try await clients.unary(ClientsV1.Clients.setFieldValue, card, options: options("loyalty-\(id)"))

        for code in ["birthday", "loyalty_card"] {
            var pin = ClientsV1.PinFieldRequest()
            pin.code = code
            pin.pinned = true
            _ = try await clients.unary(ClientsV1.Clients.pinField, pin, options: options("pin-field-\(code)"))
        }
    }

    /// A wall-clock time in Moscow `days` from today at `hour`.
    private static func moscow(days: Int, hour: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Moscow")!
        let day = calendar.date(byAdding: .day, value: days, to: Date())!
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        return String(format: "%04d-%02d-%02dT%02d:00", parts.year!, parts.month!, parts.day!, hour)
    }

    private func tasksAndNotes(_ main: Int64, others: [String: Int64]) async throws {
        let existingTasks = try await tasks.unary(
            TasksV1.Tasks.listTasks,
            {
                var r = TasksV1.ListTasksRequest(); r.clientID = main; r.pageSize = 50; return r
            }())
        let existingNotes = try await tasks.unary(
            TasksV1.Tasks.listNotes,
            {
                var r = TasksV1.ListNotesRequest(); r.clientID = main; r.pageSize = 50; return r
            }())

        // (title, text, days from today, hour, performer)
        let taskSpecs: [(String, String, Int, Int, Int64)] = [
            ("Перезвонить по оптовому заказу", "Уточнить объём и сроки поставки", -2, 11, 2),
            ("Отправить коммерческое предложение", "КП на 200 единиц, скидка 7%", 1, 15, 1),
            ("Согласовать доставку в Казань", "", 3, 12, 3),
            ("Поздравить с днём рождения", "Открытка и промокод", 30, 10, 1),
        ]
        if existingTasks.tasks.isEmpty {
            for (index, spec) in taskSpecs.enumerated() {
                var request = TasksV1.CreateTaskRequest()
                request.clientID = main
                request.title = spec.0
                request.text = spec.1
                var deadline = TasksV1.Deadline()
                deadline.localTime = Self.moscow(days: spec.2, hour: spec.3)
                deadline.timeZone = "Europe/Moscow"
                request.deadline = deadline
                request.performerID = spec.4
                _ = try await tasks.unary(TasksV1.Tasks.createTask, request, options: options("task-\(main)-\(index)"))
            }
            if let petrov = others["demo-wa-petrov"] {
                var request = TasksV1.CreateTaskRequest()
                request.clientID = petrov
                request.title = "Выслать каталог"
                request.performerID = 1
                _ = try await tasks.unary(TasksV1.Tasks.createTask, request, options: options("task-\(petrov)-0"))
            }
        }

        let long = """
            Подробности по оптовому заказу: клиентка закупает текстиль для сети из трёх магазинов в Москве \
            и Подмосковье. Интересуют постельное бельё (евро и 1,5-спальные комплекты), полотенца махровые \
            70×140 и 50×90, пледы. Объём первой партии — около 200 единиц, дальше ежемесячно по 80–100. \
            Просит отсрочку платежа 14 дней после второй поставки, оплата по счёту от ИП. Доставка до склада \
            на Тверской, разгрузка с 9:00 до 17:00, заранее позвонить охране. Конкуренты предложили цену на 5% \
            ниже, но её устраивает наше качество и сроки. Решение примет до конца недели.
            """
        let notes = [
            "Первый контакт в Telegram, пришла по рекомендации Ольги Васильевой.",
            "Интересуется оптовыми ценами на текстиль.",
            "Отправили прайс-лист, ждём ответа.",
            long,
            "Просила не звонить до 11:00, удобнее писать в мессенджер.",
            "Согласовали скидку 7% на первую партию.",
            "Напомнить про акцию «Весенняя распродажа» 🎁.",
        ]
        if existingNotes.notes.isEmpty {
            for (index, text) in notes.enumerated() {
                var request = TasksV1.CreateNoteRequest()
                request.clientID = main
                request.text = text
                _ = try await tasks.unary(TasksV1.Tasks.createNote, request, options: options("note-\(main)-\(index)"))
            }
        }
    }
}
