import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import Foundation

/// `chatpanelctl orders …`: a client's orders and their draft.
struct OrderCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders", abstract: "A client's orders: list, show, create, add products, status, payments.",
        subcommands: [
            ListOrders.self, ShowOrder.self, CreateOrder.self, AddToOrder.self, ChangeStatus.self, AddPayment.self, PaymentLink.self,
            Loyalty.self, Settings.self,
        ])

    /// The orders process's socket when neither `--socket` nor `CHATPANEL_SOCKET` names one.
    static let socket = "run/state/orders.sock"

    struct ListOrders: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Lists a client's orders, newest first.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client.") var client: Int64
        @Option(help: "Orders per page (1 to 50).") var pageSize: UInt32 = 10
        @Option(help: "The page token of the previous page.") var pageToken = ""

        func run() async throws {
            var request = OrdersV1.ListOrdersRequest()
            request.clientID = client
            request.pageSize = pageSize
            request.pageToken = pageToken
            let response = try await connection.withClient(defaultPath: OrderCommands.socket) {
                try await $0.unary(OrdersV1.Orders.listOrders, request)
            }
            try connection.output(response) {
                var lines = response.orders.map(orderSummary)
                if lines.isEmpty { lines = ["no orders"] }
                if !response.nextPageToken.isEmpty { lines.append("next page: --page-token \(response.nextPageToken)") }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct ShowOrder: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Shows an order with its lines, totals and payments.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The order id.") var order: Int64

        func run() async throws {
            let response = try await connection.withClient(defaultPath: OrderCommands.socket) { try await fetch($0, order) }
            try connection.output(response) { orderDetails(response.order ?? OrdersV1.Order()) }
        }
    }

    struct CreateOrder: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Starts a client's draft (a client has at most one).")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client.") var client: Int64
        @Option(help: "The contact's first name.") var firstName = ""
        @Option(help: "The contact's phone.") var phone = ""
        @Option(help: "The delivery city.") var city = ""
        @Option(help: "Lines as PRODUCT_ID:QUANTITY (repeat the option).") var line: [String] = []

        func run() async throws {
            var request = OrdersV1.CreateOrderRequest()
            request.clientID = client
            var contact = OrdersV1.OrderContact()
            contact.firstName = firstName
            contact.phone = phone
            request.contact = contact
            var address = OrdersV1.Delivery()
            address.city = city
            request.address = address
            request.items = try line.map(parseLine)
            let options = RPCCallOptions(requestID: UUID().uuidString)
            let response = try await connection.withClient(defaultPath: OrderCommands.socket) {
                try await $0.unary(OrdersV1.Orders.createOrder, request, options: options)
            }
            try connection.output(response) { orderDetails(response.order ?? OrdersV1.Order()) }
        }
    }

    struct AddToOrder: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Adds products to the client's draft (made when there is none).")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client.") var client: Int64
        @Argument(help: "Product ids.") var products: [Int64]

        func run() async throws {
            var request = OrdersV1.AddToOrderRequest()
            var owner = OrdersV1.Owner()
            owner.clientID = client
            request.owner = owner
            request.productIDs = products
            let options = RPCCallOptions(requestID: UUID().uuidString)
            let response = try await connection.withClient(defaultPath: OrderCommands.socket) {
                try await $0.unary(OrdersV1.Orders.addToOrder, request, options: options)
            }
            try connection.output(response) { orderDetails(response.order ?? OrdersV1.Order()) }
        }
    }

    struct ChangeStatus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status", abstract: "Changes an order's status (placing a draft); the validations run.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The order id.") var order: Int64
        @Argument(help: "The status code, like assembling.") var status: String
        @Option(help: "The version the change is based on (default: the current one).") var version: UInt64?

        func run() async throws {
            let options = RPCCallOptions(requestID: UUID().uuidString)
            let response = try await connection.withClient(defaultPath: OrderCommands.socket) { client in
                var request = OrdersV1.ChangeOrderStatusRequest()
                request.orderID = order
                request.version = try await currentVersion(client, order, given: version)
                request.status = status
                return try await client.unary(OrdersV1.Orders.changeOrderStatus, request, options: options)
            }
            try connection.output(response) { orderDetails(response.order ?? OrdersV1.Order()) }
        }
    }

    struct AddPayment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pay", abstract: "Adds a payment to an order.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The order id.") var order: Int64
        @Argument(help: "The amount in minor units (kopecks).") var amount: Int64
        @Option(help: "The payment type code.") var type = "cash"
        @Flag(help: "Not received yet.") var pending = false

        func run() async throws {
            let options = RPCCallOptions(requestID: UUID().uuidString)
            let response = try await connection.withClient(defaultPath: OrderCommands.socket) { client in
                guard let current = try await fetch(client, order).order else { throw ValidationError("order \(order) was not answered") }
                var payment = OrdersV1.Payment()
                payment.type = type
                payment.amountMinor = amount
                payment.status = pending ? .notPaid : .paid
                var request = OrdersV1.SaveOrderPaymentsRequest()
                request.orderID = order
                request.version = current.version
                request.payments = current.payments + [payment]
                return try await client.unary(OrdersV1.Orders.saveOrderPayments, request, options: options)
            }
            try connection.output(response) { orderDetails(response.order ?? OrdersV1.Order()) }
        }
    }

    struct PaymentLink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "link", abstract: "Makes the signed payment link of an online payment, or checks one (--verify URL).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The order id.") var order: Int64 = 0
        @Argument(help: "The payment id.") var payment: Int64 = 0
        @Option(help: "A link to check instead.") var verify: String?

        func run() async throws {
            if let verify {
                var request = OrdersV1.VerifyPaymentLinkRequest()
                request.url = verify
                let response = try await connection.withClient(defaultPath: OrderCommands.socket) {
                    try await $0.unary(OrdersV1.Orders.verifyPaymentLink, request)
                }
                try connection.output(response) {
                    response.valid
                        ? "valid: order №\(response.link?.orderNumber ?? "?"), \(response.link?.amount?.text ?? "")"
                        : "not valid: \(response.reason)"
                }
                return
            }
            var request = OrdersV1.CreatePaymentLinkRequest()
            request.orderID = order
            request.paymentID = payment
            let response = try await connection.withClient(defaultPath: OrderCommands.socket) {
                try await $0.unary(OrdersV1.Orders.createPaymentLink, request)
            }
            try connection.output(response) { response.link?.url ?? "" }
        }
    }

    struct Loyalty: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "loyalty", abstract: "Shows a client's loyalty account: level, purchases, bonuses and those about to expire.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client.") var client: Int64

        func run() async throws {
            var request = OrdersV1.GetLoyaltyAccountRequest()
            request.clientID = client
            let response = try await connection.withClient(defaultPath: OrderCommands.socket) {
                try await $0.unary(OrdersV1.Orders.getLoyaltyAccount, request)
            }
            try connection.output(response) {
                guard let account = response.account else { return "the shop runs no loyalty programme" }
                var lines = [
                    "level \(account.level.isEmpty ? "—" : account.level), purchases \(account.purchases?.text ?? "—"), \(account.balance) bonuses"
                ]
                for grant in account.expiring {
                    lines.append("  \(grant.remaining) expire at \(grant.expiresAtMs) ms (from order #\(grant.orderID))")
                }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Settings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "settings", abstract: "Shows the statuses and payment types.")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let response = try await connection.withClient(defaultPath: OrderCommands.socket) {
                try await $0.unary(OrdersV1.Orders.getOrderSettings, OrdersV1.GetOrderSettingsRequest())
            }
            try connection.output(response) {
                var lines = ["currency: \(response.currency)", "statuses:"]
                for status in response.statuses {
                    let required = status.requiredFields.isEmpty ? "" : " — requires \(status.requiredFields.joined(separator: ", "))"
                    lines.append("  \(status.code) (\(status.name), \(status.group.protoName))\(required)")
                }
                lines.append("payment types:")
                for type in response.paymentTypes { lines.append("  \(type.code) (\(type.name))\(type.online ? " online" : "")") }
                return lines.joined(separator: "\n")
            }
        }
    }
}

/// The order with `id`.
private func fetch(_ client: RPCClient, _ id: Int64) async throws -> OrdersV1.OrderResponse {
    var request = OrdersV1.GetOrderRequest()
    request.orderID = id
    return try await client.unary(OrdersV1.Orders.getOrder, request)
}

/// `given`, or the order's current version.
private func currentVersion(_ client: RPCClient, _ id: Int64, given: UInt64?) async throws -> UInt64 {
    if let given { return given }
    return try await fetch(client, id).order?.version ?? 0
}

/// PRODUCT_ID:QUANTITY as a new line.
private func parseLine(_ text: String) throws -> OrdersV1.OrderItemInput {
    let parts = text.split(separator: ":")
    guard parts.count == 2, let product = Int64(parts[0]), let quantity = Int64(parts[1]) else {
        throw ValidationError("--line \(text): expected PRODUCT_ID:QUANTITY")
    }
    var line = OrdersV1.OrderItemInput()
    line.productID = product
    line.quantity = quantity
    return line
}

/// One line about an order: number, status, amount due and payment state (ORDER-11).
func orderSummary(_ order: OrdersV1.Order) -> String {
    let state =
        switch order.paymentState {
        case .paid: "paid"
        case .partlyPaid: "partly paid"
        default: "unpaid"
        }
    let status = order.draft ? "draft" : (order.status?.name ?? order.status?.code ?? "?")
    return "№\(order.number) \(status) · total \(order.totals?.total?.text ?? "—") · due \(order.totals?.due?.text ?? "—") · \(state)"
        + " · \(order.items.count) line\(order.items.count == 1 ? "" : "s")"
}

/// An order with its lines, delivery, totals and payments.
private func orderDetails(_ order: OrdersV1.Order) -> String {
    var lines = ["order #\(order.orderID) (version \(order.version)): " + orderSummary(order)]
    if let contact = order.contact, !(contact.firstName + contact.lastName + contact.phone + contact.email).isEmpty {
        lines.append(
            "  contact: "
                + [contact.firstName, contact.lastName, contact.phone, contact.email].filter { !$0.isEmpty }.joined(separator: ", "))
    }
    for item in order.items {
        var text = "  [\(item.itemID)] \(item.article) \(item.name) × \(item.quantity) at \(item.price?.text ?? "—")"
        if item.price?.amountMinor != item.originalPrice?.amountMinor { text += " (catalog \(item.originalPrice?.text ?? "—"))" }
        text += " = \(item.total?.text ?? "—")"
        lines.append(text)
    }
    if let delivery = order.delivery, !(delivery.type + delivery.city + delivery.street + delivery.date).isEmpty {
        lines.append(
            "  delivery: "
                + [delivery.type, delivery.city, delivery.street, delivery.date, delivery.timeSlot].filter { !$0.isEmpty }.joined(
                    separator: ", "))
    }
    if let totals = order.totals {
        lines.append(
            "  goods \(totals.goods?.text ?? "—") − discounts \(totals.totalDiscounts?.text ?? "—") + delivery \(totals.delivery?.text ?? "—")"
                + " = \(totals.total?.text ?? "—"); paid \(totals.paid?.text ?? "—")")
    }
    for payment in order.payments {
        lines.append("  payment [\(payment.paymentID)] \(payment.typeName) \(payment.amount?.text ?? "—") \(payment.status.protoName)")
    }
    return lines.joined(separator: "\n")
}
