import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import Foundation

/// The gateway's socket when neither `--socket` nor `CHATPANEL_SOCKET` names one.
let gatewaySocket = "run/state/gateway.sock"

/// `chatpanelctl panel`: the composed chat panel of a manager and a dialog.
struct PanelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "panel",
        abstract: "Shows the composed chat panel of a manager (--manager) and a dialog.",
        discussion: """
            Calls the gateway's GetPanel as the manager and prints the base client block, then every \
            visible widget in the manager's layout order with its state (OK, UNAVAILABLE, TIMED OUT, \
            FORBIDDEN, DISABLED). --json prints one JSON object with each widget's data decoded.
            --watch keeps the panel open (WatchPanel): the panel, then every change to it as it \
            arrives (the widgets that changed, or the whole panel again), until Ctrl-C; a watch the \
            gateway ends (it restarts, or this terminal fell behind) is opened again.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "The dialog the manager has open.") var dialog: String
    @Flag(help: "Keep watching: print each update as it arrives.") var watch = false

    func run() async throws {
        if watch { return try await watchPanel() }
        var request = GatewayV1.GetPanelRequest()
        request.dialogID = dialog
        let panel = try await connection.withClient(defaultPath: gatewaySocket) { try await $0.unary(GatewayV1.Gateway.getPanel, request) }
        if connection.json {
            print(try PanelText.json(panel))
        } else {
            print(PanelText.describe(panel))
        }
    }
}

extension PanelCommand {
    /// Prints the panel, then each update, until interrupted; watches again when the stream ends.
    func watchPanel() async throws {
        let client = try connection.makeClient(defaultPath: gatewaySocket)
        var request = GatewayV1.WatchPanelRequest()
        request.dialogID = dialog
        while true {
            do {
                let updates = client.serverStreaming(
                    GatewayV1.Gateway.watchPanel, request, options: RPCCallOptions(timeout: .seconds(86_400)))
                for try await update in updates {
                    // Written at once (not buffered): each update shows as it comes, also in a pipe or a file.
                    FileHandle.standardOutput.write(Data((try PanelText.describe(update, json: connection.json) + "\n").utf8))
                }
                FileHandle.standardError.write(Data("the watch ended; watching again\n".utf8))
            } catch let error as RPCError where [.unavailable, .resourceExhausted, .deadlineExceeded].contains(error.code) {
                FileHandle.standardError.write(Data("the watch ended (\(error)); watching again\n".utf8))
                try await Task.sleep(for: .milliseconds(500))
            } catch let error as RPCError {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                await client.close()
                throw ExitCode(2)
            }
        }
    }
}

/// `chatpanelctl layout …`: a manager's panel layout.
struct LayoutCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layout", abstract: "Shows and changes a manager's layout.", subcommands: [ShowLayout.self, SetLayout.self])

    /// `chatpanelctl layout show`: the manager's layout.
    struct ShowLayout: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Shows the manager's panel layout and its version.")

        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let layout = try await connection.withClient(defaultPath: gatewaySocket) {
                try await $0.unary(GatewayV1.Gateway.getLayout, GatewayV1.GetLayoutRequest())
            }
            try connection.output(layout) { PanelText.describe(layout) }
        }
    }

    /// `chatpanelctl layout set`: changes the manager's layout.
    struct SetLayout: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Changes the manager's panel layout.",
            discussion: """
                --widgets lists the widgets after the base client block, in the new order, comma-separated. \
                Each item is a widget name (tags, products, tasks, order, notes, summary, visit, cart), \
                prefixed with "-" to hide it, and suffixed with ":collapsed" to show it folded. Widgets \
                left out keep their place at the end, hidden. The client block is always first and shown.

                Example: --base-version 3 --widgets "tasks,notes:collapsed,tags,-visit"

                --base-version is the version `layout show` printed. When someone changed the layout \
                since (another browser tab), the gateway refuses the change and this prints the current \
                layout: look at it and retry with its version.
                """)

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The layout version the change is based on (from `layout show`).") var baseVersion: UInt64
        @Option(help: "The widgets in order, like \"tasks,notes:collapsed,tags,-visit\" (see above).") var widgets: String

        func validate() throws { _ = try Self.parse(widgets) }

        /// Parses the `--widgets` syntax.
        static func parse(_ text: String) throws -> [GatewayV1.WidgetLayout] {
            var result: [GatewayV1.WidgetLayout] = []
            for raw in text.split(separator: ",") {
                var item = raw.trimmingCharacters(in: .whitespaces)
                if item.isEmpty { continue }
                var placement = GatewayV1.WidgetLayout()
                placement.visible = true
                if item.hasPrefix("-") {
                    placement.visible = false
                    item.removeFirst()
                } else if item.hasPrefix("+") {
                    item.removeFirst()
                }
                if let colon = item.firstIndex(of: ":") {
                    let flag = item[item.index(after: colon)...].lowercased()
                    switch flag {
                    case "collapsed", "c": placement.collapsed = true
                    case "expanded", "e", "": placement.collapsed = false
                    default: throw ValidationError("'\(raw)': after ':' write collapsed or expanded")
                    }
                    item = String(item[..<colon])
                }
                guard let kind = PanelText.kind(named: item) else {
                    throw ValidationError("'\(raw)': unknown widget; use \(PanelText.widgetNames.joined(separator: ", "))")
                }
                guard kind != .client else { throw ValidationError("the client block is always first and shown; leave it out") }
                guard !result.contains(where: { $0.kind == kind }) else { throw ValidationError("'\(item)' is listed twice") }
                placement.kind = kind
                result.append(placement)
            }
            return result
        }

        func run() async throws {
            var request = GatewayV1.UpdateLayoutRequest()
            request.baseVersion = baseVersion
            request.widgets = try Self.parse(widgets)
            let client = try connection.makeClient(defaultPath: gatewaySocket)
            do {
                let layout = try await client.unary(GatewayV1.Gateway.updateLayout, request)
                await client.close()
                try connection.output(layout) { "layout saved\n" + PanelText.describe(layout) }
            } catch let error as RPCError where error.code == .aborted {
                await client.close()
                var message = "error: the layout changed since version \(baseVersion) (another tab or session saved it); nothing was saved."
                if let current = error.decodedDetails(as: GatewayV1.Layout.self) {
                    message += "\nThe current layout:\n" + PanelText.describe(current)
                    message += "\nRetry with --base-version \(current.version) if you still want your change."
                } else {
                    message += "\n(\(error.message))"
                }
                FileHandle.standardError.write(Data((message + "\n").utf8))
                throw ExitCode(3)
            } catch let error as RPCError {
                await client.close()
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}

/// Text and JSON forms of panels and layouts.
enum PanelText {
    /// Every widget kind with its CLI name.
    static let kinds: [(String, GatewayV1.WidgetKind)] = [
        ("client", .client), ("tags", .tags), ("products", .products), ("tasks", .tasks), ("order", .order), ("notes", .notes),
        ("summary", .summary), ("visit", .visit), ("cart", .cart),
    ]

    /// The names `layout set` accepts.
    static var widgetNames: [String] { kinds.dropFirst().map(\.0) }

    static func kind(named name: String) -> GatewayV1.WidgetKind? {
        kinds.first { $0.0 == name.lowercased() }?.1
    }

    static func name(_ kind: GatewayV1.WidgetKind) -> String {
        kinds.first { $0.1 == kind }?.0 ?? kind.protoName
    }

    static func title(_ kind: GatewayV1.WidgetKind) -> String {
        let name = name(kind)
        return name.prefix(1).uppercased() + name.dropFirst()
    }

    // MARK: Layout

    static func describe(_ layout: GatewayV1.Layout) -> String {
        var lines = ["layout of manager \(layout.managerID), version \(layout.version)\(layout.isDefault ? " (default)" : "")"]
        lines.append("   1. client      shown, expanded (always first)")
        for (index, widget) in layout.widgets.enumerated() {
            let number = String(index + 2).leftPadded(to: 4)
            lines.append(
                "\(number). \(name(widget.kind).padded(to: 11)) \(widget.visible ? "shown" : "hidden")\(widget.visible ? (widget.collapsed ? ", collapsed" : ", expanded") : "")"
            )
        }
        let syntax = layout.widgets.map { ($0.visible ? "" : "-") + name($0.kind) + ($0.collapsed ? ":collapsed" : "") }
        lines.append("as --widgets: \"\(syntax.joined(separator: ","))\"")
        return lines.joined(separator: "\n")
    }

    // MARK: Panel as text

    /// A watch's update: the whole panel, or the widgets that changed with how long after the
    /// change they arrived.
    static func describe(_ update: GatewayV1.PanelUpdate, json: Bool) throws -> String {
        let received = Date()
        let lag = update.changedAtMs > 0 ? " (\(Int64(received.timeIntervalSince1970 * 1000) - update.changedAtMs) ms after the change)" : ""
        if let panel = update.panel {
            return json ? try Self.json(panel) : "--- whole panel\(lag)\n" + describe(panel)
        }
        if json {
            let object: [String: Any] = ["changed_at_ms": update.changedAtMs, "widgets": try update.widgets.map(widgetObject)]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self)
        }
        var lines = ["", "--- changed\(lag)"]
        for widget in update.widgets { lines.append(contentsOf: describeWidget(widget)) }
        return lines.joined(separator: "\n")
    }

    static func describe(_ panel: GatewayV1.Panel) -> String {
        var lines = [
            "Panel of dialog \(panel.dialogID) for manager \(panel.managerID) (layout version \(panel.layoutVersion), \(panel.elapsedMs) ms)"
        ]
        let client = panel.client ?? GatewayV1.Widget()
        lines.append("")
        lines.append(contentsOf: describeWidget(client))
        for widget in panel.widgets {
            lines.append("")
            lines.append(contentsOf: describeWidget(widget))
        }
        return lines.joined(separator: "\n")
    }

    private static func stateText(_ widget: GatewayV1.Widget) -> String {
        switch widget.state {
        case .ok: return "OK"
        case .unavailable: return "UNAVAILABLE: \(widget.reason.isEmpty ? "no reason given" : widget.reason)"
        case .timedOut: return "TIMED OUT" + (widget.reason.isEmpty ? "" : ": \(widget.reason)")
        case .forbidden: return "FORBIDDEN" + (widget.reason.isEmpty ? "" : ": \(widget.reason)")
        case .disabled: return "DISABLED: \(widget.reason.isEmpty ? "switched off" : widget.reason)"
        default: return widget.state.protoName
        }
    }

    private static func describeWidget(_ widget: GatewayV1.Widget) -> [String] {
        var header = "== \(title(widget.kind)) == \(stateText(widget))"
        if widget.state == .ok { header += " (\(widget.elapsedMs) ms)" }
        if widget.collapsed { header += " [collapsed]" }
        var lines = [header]
        guard widget.state == .ok else { return lines }
        do {
            switch widget.kind {
            case .client:
                lines += clientLines(try ClientsV1.ClientCard(serializedBytes: widget.data))
            case .tags:
                lines += tagLines(try ClientsV1.ClientCard(serializedBytes: widget.data))
            case .tasks:
                lines += taskLines(try GatewayV1.TasksWidgetData(serializedBytes: widget.data))
            case .notes:
                lines += noteLines(try TasksV1.ListNotesResponse(serializedBytes: widget.data))
            case .products:
                lines += productListLines(try OrdersV1.ProductList(serializedBytes: widget.data))
            case .cart:
                lines += cartLines(try OrdersV1.Cart(serializedBytes: widget.data))
            case .order:
                lines += try OrdersV1.ListOrdersResponse(serializedBytes: widget.data).orders.map { "  " + orderSummary($0) }
            case .summary:
                let summary = try InsightsV1.GetSummaryResponse(serializedBytes: widget.data)
                lines += (summary.summary.map(InsightsText.describe)?.split(separator: "\n").map { "  \($0)" } ?? [])
            case .visit:
                lines += (try InsightsV1.GetVisitResponse(serializedBytes: widget.data).visit.map(InsightsText.visitLines) ?? []).map { "  \($0)" }
            default:
                lines.append("  (\(widget.data.count) bytes of \(widget.dataType.isEmpty ? "data" : widget.dataType))")
            }
        } catch {
            lines.append("  (could not decode \(widget.dataType): \(error))")
        }
        if !widget.reason.isEmpty { lines.append("  note: \(widget.reason)") }
        return lines
    }

    private static func clientLines(_ card: ClientsV1.ClientCard) -> [String] {
        var lines: [String] = []
        if let dialog = card.dialog {
            var contact = [dialog.channel, dialog.externalLogin, dialog.displayName].filter { !$0.isEmpty }.joined(separator: " · ")
            if contact.isEmpty { contact = "no contact data" }
            lines.append("  dialog:   \(dialog.dialogID) (\(contact))")
        }
        guard let client = card.client else {
            if let dialog = card.dialog {
                if !dialog.phone.isEmpty { lines.append("  phone:    \(dialog.phone)") }
                if !dialog.email.isEmpty { lines.append("  email:    \(dialog.email)") }
            }
            lines.append("  not saved yet — Save client" + (card.canSaveClient ? "" : " (not offered)"))
            lines += duplicateLines(card)
            return lines
        }
        let pinned = client.tags.first(where: \.pinned)?.tag?.name
        lines.append("  client:   #\(client.clientID) \(client.displayName)\(pinned.map { "  [\($0)]" } ?? "")")
        if card.resolvedFromClientID != 0 { lines.append("            (asked for #\(card.resolvedFromClientID), merged into this one)") }
        // CLIENT-5: the card says which phone the block shows and how many others there are.
        let others = card.otherPhoneCount > 0 ? " (+\(card.otherPhoneCount) more)" : ""
        lines.append("  phone:    \(card.shownPhone?.number ?? "—")\(others)")
        lines.append("  email:    \(client.email.isEmpty ? "—" : client.email)")
        lines.append("  address:  \(addressText(client.address))")
        lines.append("  tags:     \(tagsText(client.tags))")
        let fields = card.fields.filter { $0.pinned || !$0.value.isEmpty }
        if !fields.isEmpty {
            lines.append("  fields:")
            for field in fields {
                let name = field.definition?.name ?? field.definition?.code ?? "?"
                let value = field.displayValue.isEmpty ? (field.value.isEmpty ? "—" : field.value) : field.displayValue
                lines.append("    \(field.pinned ? "📌 " : "   ")\(name): \(value)")
            }
        }
        lines += duplicateLines(card)
        return lines
    }

    private static func duplicateLines(_ card: ClientsV1.ClientCard) -> [String] {
        card.duplicates.map { duplicate in
            let other = duplicate.client.map { "#\($0.clientID) \($0.displayName)" } ?? "another client"
            let reasons = duplicate.reasons.map { ($0.kind == .phone ? "phone " : "email ") + $0.value }.joined(separator: ", ")
            return "  ⚠ possible duplicate: \(other) (same \(reasons)) — merge?"
        }
    }

    private static func addressText(_ address: ClientsV1.Address?) -> String {
        guard let address else { return "—" }
        if !address.text.isEmpty { return address.text }
        let parts = [
            address.postalCode, address.country, address.region, address.city, address.street,
            address.house.isEmpty ? "" : "д. \(address.house)",
            address.building, address.block, address.entrance, address.floor, address.flat.isEmpty ? "" : "кв. \(address.flat)",
        ].filter { !$0.isEmpty }
        return parts.isEmpty ? "—" : parts.joined(separator: ", ")
    }

    private static func tagsText(_ tags: [ClientsV1.ClientTag]) -> String {
        let ordered = tags.filter(\.pinned) + tags.filter { !$0.pinned }
        let names = ordered.compactMap { tag in tag.tag.map { $0.name + (tag.pinned ? " (pinned)" : "") } }
        return names.isEmpty ? "—" : names.joined(separator: ", ")
    }

    private static func tagLines(_ card: ClientsV1.ClientCard) -> [String] {
        guard let client = card.client else { return ["  no client yet: save the client to tag it"] }
        return ["  \(tagsText(client.tags))"]
    }

    private static func taskLines(_ data: GatewayV1.TasksWidgetData) -> [String] {
        var lines: [String] = []
        for (title, list) in [("All", data.all), ("Mine", data.mine)] {
            let tasks = list?.tasks ?? []
            let more = (list?.nextPageToken.isEmpty ?? true) ? "" : ", more on the next page"
            lines.append("  \(title) (\(tasks.count)\(more)):")
            if tasks.isEmpty { lines.append("    no open tasks") }
            for task in tasks { lines.append("    " + describeTask(task)) }
        }
        return lines
    }

    private static func describeTask(_ task: TasksV1.Task) -> String {
        let box = task.status == .completed ? "[x]" : "[ ]"
        let due = task.deadline.map { "\($0.localTime.replacingOccurrences(of: "T", with: " ")) \($0.timeZone)" } ?? "no deadline"
        let overdue = task.overdue ? " ⏰ OVERDUE" : ""
        return "\(box) #\(task.taskID) \(task.title) — due \(due)\(overdue) (performer \(task.performerID), author \(task.authorID))"
    }

    private static func noteLines(_ response: TasksV1.ListNotesResponse) -> [String] {
        var lines = response.notes.map { note -> String in
            let time = noteTime(note.createdAtMs)
            let text = note.text.replacingOccurrences(of: "\n", with: " ")
            return "  #\(note.noteID) manager \(note.authorID), \(time): \(text)\(note.truncated ? "… (\(note.length) characters)" : "")"
        }
        if lines.isEmpty { lines.append("  no notes") }
        if !response.nextPageToken.isEmpty {
            let client = response.notes.first.map { String($0.clientID) } ?? "<id>"
            lines.append("  older notes: chatpanelctl notes list --client \(client) --page-token \(response.nextPageToken)")
        }
        return lines
    }

    private static func noteTime(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Europe/Moscow")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)) + " MSK"
    }

    // MARK: Panel as JSON

    /// One JSON object: the panel's fields, each widget with its data decoded to its message's JSON.
    static func json(_ panel: GatewayV1.Panel) throws -> String {
        let object: [String: Any] = [
            "dialog_id": panel.dialogID,
            "manager_id": panel.managerID,
            "layout_version": panel.layoutVersion,
            "elapsed_ms": panel.elapsedMs,
            "client": try widgetObject(panel.client ?? GatewayV1.Widget()),
            "widgets": try panel.widgets.map(widgetObject),
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private static func widgetObject(_ widget: GatewayV1.Widget) throws -> [String: Any] {
        var object: [String: Any] = [
            "kind": name(widget.kind),
            "state": widget.state.protoName.replacingOccurrences(of: "WIDGET_STATE_", with: ""),
            "collapsed": widget.collapsed,
            "elapsed_ms": widget.elapsedMs,
        ]
        if !widget.reason.isEmpty { object["reason"] = widget.reason }
        if !widget.dataType.isEmpty { object["data_type"] = widget.dataType }
        if widget.state == .ok {
            let text: String
            switch widget.dataType {
            case "chatpanel.clients.v1.ClientCard": text = try ClientsV1.ClientCard(serializedBytes: widget.data).jsonText(pretty: false)
            case "chatpanel.gateway.v1.TasksWidgetData":
                text = try GatewayV1.TasksWidgetData(serializedBytes: widget.data).jsonText(pretty: false)
            case "chatpanel.tasks.v1.ListNotesResponse":
                text = try TasksV1.ListNotesResponse(serializedBytes: widget.data).jsonText(pretty: false)
            case "chatpanel.orders.v1.ProductList": text = try OrdersV1.ProductList(serializedBytes: widget.data).jsonText(pretty: false)
            case "chatpanel.orders.v1.Cart": text = try OrdersV1.Cart(serializedBytes: widget.data).jsonText(pretty: false)
            case "chatpanel.insights.v1.GetSummaryResponse":
                text = try InsightsV1.GetSummaryResponse(serializedBytes: widget.data).jsonText(pretty: false)
            case "chatpanel.insights.v1.GetVisitResponse":
                text = try InsightsV1.GetVisitResponse(serializedBytes: widget.data).jsonText(pretty: false)
            default:
                object["data"] = Data(widget.data).base64EncodedString()
                return object
            }
            object["data"] = try JSONSerialization.jsonObject(with: Data(text.utf8))
        }
        return object
    }
}

extension String {
    fileprivate func padded(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    fileprivate func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

/// The Products widget: one product a line, with its price and whether it was sent.
private func productListLines(_ list: OrdersV1.ProductList) -> [String] {
    guard !list.items.isEmpty else { return ["  no products on the list"] }
    return list.items.map { item in
        let name = item.product?.name ?? "product #\(item.productID) (no longer in the catalog)"
        let sent = item.sentCount > 0 ? " · sent \(item.sentCount)×" : ""
        let stock = item.product.map { $0.available ? "" : " · not available" } ?? ""
        return "  #\(item.productID) \(name) — \(item.price?.text ?? "no price")\(stock)\(sent)"
    }
}

/// The Cart widget: the lines with current catalog data, then the total.
private func cartLines(_ cart: OrdersV1.Cart) -> [String] {
    guard !cart.items.isEmpty else { return ["  the cart is empty"] }
    var lines = cart.items.map { item in
        let state = item.gone ? " (no longer in the catalog)" : item.available ? "" : " (not available)"
        return "  \(item.quantity) × \(item.name) — \(item.price?.text ?? "no price") = \(item.lineTotal?.text ?? "?")\(state)"
    }
    lines.append("  total: \(cart.total?.text ?? "?") (\(cart.quantity) items)")
    return lines
}
