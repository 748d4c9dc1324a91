public import ChatPanelProto
import Foundation

/// How the orders process runs orders: the shop's currency, the price type items are priced
/// from, the status list (grouped as in a CRM, with the fields each status requires), the
/// payment types and the shop-visible number's prefix.
///
/// `chatpaneld orders --order-settings FILE` (or `CHATPANEL_ORDER_SETTINGS`) reads it from a
/// JSON file; every key may be left out for its default:
///
/// ```json
/// {"currency": "RUB", "price_type": "", "number_prefix": "",
///  "statuses": [{"code": "new", "name": "Новый", "group": "new", "required_fields": ["items"]}],
///  "payment_types": [{"code": "cash", "name": "Наличные", "online": false}]}
/// ```
public struct OrdersConfiguration: Sendable {
    /// The environment key of the settings file.
    public static let settingsEnvironmentKey = "CHATPANEL_ORDER_SETTINGS"

    /// A status of the list.
    public struct Status: Sendable, Codable, Hashable {
        /// Stable code, 1 to 64 characters of [A-Za-z0-9_.-].
        public var code: String
        /// Name shown to managers.
        public var name: String
        /// The group: new, approval, assembling, delivery, complete or cancel.
        public var group: String
        /// Fields an order must have in this status (``OrdersConfiguration/requirableFields``).
        public var requiredFields: [String]

        /// A status.
        public init(code: String, name: String, group: String, requiredFields: [String] = []) {
            self.code = code
            self.name = name
            self.group = group
            self.requiredFields = requiredFields
        }
    }

    /// A payment type.
    public struct PaymentType: Sendable, Codable, Hashable {
        /// Stable code.
        public var code: String
        /// Name shown to managers.
        public var name: String
        /// Paid online through acquiring.
        public var online: Bool

        /// A payment type.
        public init(code: String, name: String, online: Bool = false) {
            self.code = code
            self.name = name
            self.online = online
        }
    }

    /// ISO 4217 code of every order's amounts. Default RUB.
    public var currency: String
    /// The catalog price type new lines take their price from; empty: the base one.
    public var priceType: String
    /// Put before the order id to make the shop-visible number. Default empty.
    public var numberPrefix: String
    /// The status list; new orders start in the first one.
    public var statuses: [Status]
    /// The payment types.
    public var paymentTypes: [PaymentType]

    /// A configuration; every member has its default unless given.
    public init(
        currency: String = "RUB", priceType: String = "", numberPrefix: String = "",
        statuses: [Status] = OrdersConfiguration.defaultStatuses,
        paymentTypes: [PaymentType] = OrdersConfiguration.defaultPaymentTypes
    ) {
        self.currency = currency
        self.priceType = priceType
        self.numberPrefix = numberPrefix
        self.statuses = statuses
        self.paymentTypes = paymentTypes
    }

    /// The field paths a status may require.
    public static let requirableFields: Set<String> = [
        "items", "payments", "contact.first_name", "contact.last_name", "contact.phone", "contact.email", "delivery.type",
        "delivery.service", "delivery.region", "delivery.city", "delivery.street", "delivery.postal_code", "delivery.date",
        "delivery.time_slot", "shop", "order_type", "order_method", "country",
    ]

    /// The status groups by their names in the settings file.
    static let groups: [String: OrdersV1.OrderStatusGroup] = [
        "new": .new, "approval": .approval, "assembling": .assembling, "delivery": .delivery, "complete": .complete,
        "cancel": .cancel,
    ]

    /// A CRM's usual list: each group requires what the one before it does and more.
    public static let defaultStatuses: [Status] = {
        let placed = ["items", "contact.phone"]
        let assembled = placed + ["delivery.type", "delivery.city", "delivery.street"]
        let shipped = assembled + ["delivery.date"]
        return [
            Status(code: "new", name: "Новый", group: "new", requiredFields: ["items"]),
            Status(code: "client-confirmed", name: "Согласован с клиентом", group: "approval", requiredFields: placed),
            Status(code: "assembling", name: "Комплектуется", group: "assembling", requiredFields: assembled),
            Status(code: "send-to-delivery", name: "Передан в доставку", group: "delivery", requiredFields: shipped),
            Status(code: "delivering", name: "Доставляется", group: "delivery", requiredFields: shipped),
            Status(code: "complete", name: "Выполнен", group: "complete", requiredFields: shipped + ["payments"]),
            Status(code: "cancel-other", name: "Отменён", group: "cancel"),
        ]
    }()

    /// Cash, a card on delivery and an online payment.
    public static let defaultPaymentTypes: [PaymentType] = [
        PaymentType(code: "cash", name: "Наличные"), PaymentType(code: "card", name: "Банковская карта при получении"),
        PaymentType(code: "online", name: "Онлайн-оплата", online: true),
    ]

    /// What is wrong with the configuration, one line each (empty when it is sound).
    public var problems: [String] {
        var problems: [String] = []
        if !Currency.isKnown(currency) { problems.append("currency \(currency) is not an ISO 4217 code the service knows") }
        if statuses.isEmpty { problems.append("statuses: at least one status is required") }
        var codes = Set<String>()
        for (index, status) in statuses.enumerated() {
            if status.code.isEmpty || status.code.utf8.count > 64 { problems.append("statuses[\(index)].code must be 1 to 64 characters") }
            if !codes.insert(status.code).inserted { problems.append("statuses[\(index)].code \(status.code) is given twice") }
            if Self.groups[status.group] == nil {
                problems.append("statuses[\(index)].group must be one of new, approval, assembling, delivery, complete, cancel")
            }
            for field in status.requiredFields where !Self.requirableFields.contains(field) {
                problems.append("statuses[\(index)].required_fields: \(field) is not a field a status can require")
            }
        }
        if paymentTypes.isEmpty { problems.append("payment_types: at least one payment type is required") }
        if Set(paymentTypes.map(\.code)).count != paymentTypes.count { problems.append("payment_types: a code is given twice") }
        return problems
    }

    /// The configuration of a settings file (keys in snake_case; missing keys keep their defaults).
    public static func load(contentsOf path: String) throws -> OrdersConfiguration {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let file = try decoder.decode(SettingsFile.self, from: data)
        let defaults = OrdersConfiguration()
        return OrdersConfiguration(
            currency: file.currency ?? defaults.currency, priceType: file.priceType ?? defaults.priceType,
            numberPrefix: file.numberPrefix ?? defaults.numberPrefix, statuses: file.statuses ?? defaults.statuses,
            paymentTypes: file.paymentTypes ?? defaults.paymentTypes)
    }

    /// The settings file's shape.
    private struct SettingsFile: Decodable {
        var currency: String?
        var priceType: String?
        var numberPrefix: String?
        var statuses: [Status]?
        var paymentTypes: [PaymentType]?
    }

    /// The status with `code`, in its wire form.
    func status(_ code: String) -> OrdersV1.OrderStatus? {
        statuses.first { $0.code == code }.map(Self.proto)
    }

    /// The wire form of a status.
    static func proto(_ status: Status) -> OrdersV1.OrderStatus {
        var proto = OrdersV1.OrderStatus()
        proto.code = status.code
        proto.name = status.name
        proto.group = groups[status.group] ?? .unspecified
        proto.requiredFields = status.requiredFields
        return proto
    }

    /// The settings as the widget shows them.
    var settings: OrdersV1.OrderSettings {
        var settings = OrdersV1.OrderSettings()
        settings.statuses = statuses.map(Self.proto)
        settings.paymentTypes = paymentTypes.map {
            var type = OrdersV1.PaymentType()
            type.code = $0.code
            type.name = $0.name
            type.online = $0.online
            return type
        }
        settings.currency = currency
        return settings
    }
}
