import ChatPanelProto
import ChatPanelRPC
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
///  "payment_types": [{"code": "cash", "name": "Наличные", "online": false}],
///  "delivery_rules": {"free_from_minor": 500000, "weight_bands": [{"up_to_grams": 5000, "cost_minor": 39000}],
///                     "over_weight_cost_minor": 150000, "regions": [{"region": "Московская область", "extra_minor": 20000}]},
///  "payment_link_url": "https://pay.shop.example/order", "payment_link_key_file": "/etc/chatpanel/payment-link.key",
///  "payment_link_lifetime_hours": 72,
///  "loyalty": {"levels": [{"name": "Серебро", "from_minor": 0, "discount_hundredths": 0, "bonus_rate_hundredths": 300}],
///              "bonus_lifetime_days": 365, "max_spend_share_hundredths": 3000, "expiring_within_days": 30},
///  "custom_fields": [{"code": "gift_wrap", "name": "Подарочная упаковка", "type": "boolean"}],
///  "print_forms_folder": "/etc/chatpanel/print-forms", "print_timeout_seconds": 30}
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

        /// A status from a settings file (required_fields may be left out).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                code: try container.decode(String.self, forKey: .code), name: try container.decode(String.self, forKey: .name),
                group: try container.decode(String.self, forKey: .group),
                requiredFields: try container.decodeIfPresent([String].self, forKey: .requiredFields) ?? [])
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

    /// How a delivery's cost is computed when it asks for the rules (ORDER-7).
    public struct DeliveryRules: Sendable, Codable, Hashable {
        /// A weight band: orders up to `upToGrams` cost `costMinor`.
        public struct WeightBand: Sendable, Codable, Hashable {
            public var upToGrams: Int64
            public var costMinor: Int64

            /// A band.
            public init(upToGrams: Int64, costMinor: Int64) {
                self.upToGrams = upToGrams
                self.costMinor = costMinor
            }
        }

        /// What a region adds to the band's cost.
        public struct RegionCost: Sendable, Codable, Hashable {
            public var region: String
            public var extraMinor: Int64

            /// A region's extra.
            public init(region: String, extraMinor: Int64) {
                self.region = region
                self.extraMinor = extraMinor
            }
        }

        /// Delivery is free when the order's sum after discounts is at least this; nil: never.
        public var freeFromMinor: Int64?
        /// Bands by the order's weight, lightest first.
        public var weightBands: [WeightBand]
        /// The cost above the last band; nil: such an order needs a typed cost.
        public var overWeightCostMinor: Int64?
        /// Extras by region (compared ignoring case); other regions add nothing.
        public var regions: [RegionCost]

        /// Rules.
        public init(
            freeFromMinor: Int64? = nil, weightBands: [WeightBand] = [], overWeightCostMinor: Int64? = nil, regions: [RegionCost] = []
        ) {
            self.freeFromMinor = freeFromMinor
            self.weightBands = weightBands
            self.overWeightCostMinor = overWeightCostMinor
            self.regions = regions
        }
    }

    /// The loyalty programme (ORDER-6): levels by the client's purchases, and bonuses.
    public struct Loyalty: Sendable, Codable, Hashable {
        /// A level, reached when the client's completed orders add up to `fromMinor`.
        public struct Level: Sendable, Codable, Hashable {
            public var name: String
            public var fromMinor: Int64
            /// The discount on every order, hundredths of a percent (500 = 5 %).
            public var discountHundredths: Int64
            /// Bonuses earned, hundredths of a percent of the order's total less delivery.
            public var bonusRateHundredths: Int64

            /// A level.
            public init(name: String, fromMinor: Int64, discountHundredths: Int64 = 0, bonusRateHundredths: Int64 = 0) {
                self.name = name
                self.fromMinor = fromMinor
                self.discountHundredths = discountHundredths
                self.bonusRateHundredths = bonusRateHundredths
            }
        }

        /// The levels, lowest first.
        public var levels: [Level]
        /// How long credited bonuses last, days.
        public var bonusLifetimeDays: Int64
        /// The most of an order's total less delivery that bonuses may pay, hundredths of a percent.
        public var maxSpendShareHundredths: Int64
        /// Bonuses expiring within this many days are shown as about to expire.
        public var expiringWithinDays: Int64

        /// A programme.
        public init(levels: [Level], bonusLifetimeDays: Int64 = 365, maxSpendShareHundredths: Int64 = 3_000, expiringWithinDays: Int64 = 30)
        {
            self.levels = levels
            self.bonusLifetimeDays = bonusLifetimeDays
            self.maxSpendShareHundredths = maxSpendShareHundredths
            self.expiringWithinDays = expiringWithinDays
        }

        /// The level of a client whose completed orders add up to `purchases`.
        func level(for purchases: Int64) -> Level? {
            levels.last { purchases >= $0.fromMinor }
        }
    }

    /// A custom order field (ORDER-9), typed like the clients' custom fields.
    public struct CustomField: Sendable, Codable, Hashable {
        /// A dictionary field's choice.
        public struct Option: Sendable, Codable, Hashable {
            public var code: String
            public var name: String

            /// An option.
            public init(code: String, name: String) {
                self.code = code
                self.name = name
            }
        }

        /// Stable code, 1 to 64 characters of [A-Za-z0-9_.-].
        public var code: String
        /// Shown to managers and searched by.
        public var name: String
        /// string, text, integer, decimal, boolean, date, email or dictionary.
        public var type: String
        /// The choices of a dictionary field.
        public var options: [Option]

        /// A field.
        public init(code: String, name: String, type: String, options: [Option] = []) {
            self.code = code
            self.name = name
            self.type = type
            self.options = options
        }

        /// A field from a settings file (options may be left out).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                code: try container.decode(String.self, forKey: .code), name: try container.decode(String.self, forKey: .name),
                type: try container.decode(String.self, forKey: .type),
                options: try container.decodeIfPresent([Option].self, forKey: .options) ?? [])
        }

        /// The wire type of `type`.
        var fieldType: OrdersV1.OrderFieldType {
            switch type {
            case "string": .string
            case "text": .text
            case "integer": .integer
            case "decimal": .decimal
            case "boolean": .boolean
            case "date": .date
            case "email": .email
            case "dictionary": .dictionary
            default: .unspecified
            }
        }

        /// The wire form.
        var proto: OrdersV1.OrderFieldDefinition {
            var definition = OrdersV1.OrderFieldDefinition()
            definition.code = code
            definition.name = name
            definition.type = fieldType
            definition.options = options.map {
                var option = OrdersV1.OrderFieldOption()
                option.code = $0.code
                option.name = $0.name
                return option
            }
            return definition
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
    /// The delivery cost rules; nil: a delivery's cost is always typed.
    public var deliveryRules: DeliveryRules?
    /// Where payment links point (the order, payment, amount, currency, expiry and signature
    /// are added as query parameters); nil: no payment links.
    public var paymentLinkURL: String?
    /// The HMAC-SHA256 key payment links are signed with (at least 32 bytes, read from a
    /// file); nil: no payment links.
    public var paymentLinkKey: [UInt8]?
    /// How long a payment link lasts from the order's last change. Default 72 hours.
    public var paymentLinkLifetimeHours: Int64
    /// The loyalty programme; nil: none.
    public var loyalty: Loyalty?
    /// The custom order fields.
    public var customFields: [CustomField]
    /// How printed forms are made.
    public var printForms: PrintFormSettings

    /// A configuration; every member has its default unless given.
    public init(
        currency: String = "RUB", priceType: String = "", numberPrefix: String = "",
        statuses: [Status] = OrdersConfiguration.defaultStatuses,
        paymentTypes: [PaymentType] = OrdersConfiguration.defaultPaymentTypes,
        deliveryRules: DeliveryRules? = nil, paymentLinkURL: String? = nil, paymentLinkKey: [UInt8]? = nil,
        paymentLinkLifetimeHours: Int64 = 72, loyalty: Loyalty? = nil, customFields: [CustomField] = [],
        printForms: PrintFormSettings = PrintFormSettings()
    ) {
        self.printForms = printForms
        self.loyalty = loyalty
        self.customFields = customFields
        self.currency = currency
        self.priceType = priceType
        self.numberPrefix = numberPrefix
        self.statuses = statuses
        self.paymentTypes = paymentTypes
        self.deliveryRules = deliveryRules
        self.paymentLinkURL = paymentLinkURL
        self.paymentLinkKey = paymentLinkKey
        self.paymentLinkLifetimeHours = paymentLinkLifetimeHours
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
        if let rules = deliveryRules {
            let limits = rules.weightBands.map(\.upToGrams)
            if limits != limits.sorted() || Set(limits).count != limits.count {
                problems.append("delivery_rules.weight_bands must go from the lightest up, each limit once")
            }
            let amounts =
                rules.weightBands.map(\.costMinor) + rules.regions.map(\.extraMinor)
                + [rules.freeFromMinor, rules.overWeightCostMinor].compactMap { $0 }
            if amounts.contains(where: { $0 < 0 || $0 > OrderLimits.price }) {
                problems.append("delivery_rules: amounts must be 0 to \(OrderLimits.price) minor units")
            }
        }
        if let key = paymentLinkKey, key.count < 32 { problems.append("the payment link key must have at least 32 bytes") }
        if (paymentLinkKey == nil) != (paymentLinkURL == nil) {
            problems.append("payment links need both payment_link_url and payment_link_key_file")
        }
        if let url = paymentLinkURL, !url.hasPrefix("https://") && !url.hasPrefix("http://") {
            problems.append("payment_link_url must be an http(s) URL")
        }
        if paymentLinkLifetimeHours <= 0 { problems.append("payment_link_lifetime_hours must be positive") }
        problems += printForms.problems
        var fieldCodes = Set<String>()
        for (index, field) in customFields.enumerated() {
            var violations = FieldViolations()
            violations.checkCode(field.code, field: "code")
            if !violations.isEmpty || !fieldCodes.insert(field.code).inserted {
                problems.append("custom_fields[\(index)].code must be 1 to 64 characters of [A-Za-z0-9_.-], each code once")
            }
            if field.fieldType == .unspecified {
                problems.append("custom_fields[\(index)].type must be string, text, integer, decimal, boolean, date, email or dictionary")
            }
            if (field.fieldType == .dictionary) == field.options.isEmpty {
                problems.append("custom_fields[\(index)].options: a dictionary field has options, other fields none")
            }
        }
        if let loyalty {
            let starts = loyalty.levels.map(\.fromMinor)
            if loyalty.levels.isEmpty || starts != starts.sorted() || Set(starts).count != starts.count {
                problems.append("loyalty.levels: at least one, from the lowest purchases up, each threshold once")
            }
            if loyalty.levels.contains(where: {
                !(0...10_000).contains($0.discountHundredths) || !(0...10_000).contains($0.bonusRateHundredths)
            }) {
                problems.append("loyalty.levels: discounts and bonus rates are 0 to 10000 hundredths of a percent")
            }
            if !(0...10_000).contains(loyalty.maxSpendShareHundredths) {
                problems.append("loyalty.max_spend_share_hundredths must be 0 to 10000")
            }
            if loyalty.bonusLifetimeDays <= 0 || loyalty.expiringWithinDays < 0 {
                problems.append("loyalty.bonus_lifetime_days must be positive and expiring_within_days not negative")
            }
        }
        return problems
    }

    /// The configuration of a settings file (keys in snake_case; missing keys keep their defaults).
    public static func load(contentsOf path: String) throws -> OrdersConfiguration {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let file = try decoder.decode(SettingsFile.self, from: data)
        let defaults = OrdersConfiguration()
        let key = try file.paymentLinkKeyFile.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
        return OrdersConfiguration(
            currency: file.currency ?? defaults.currency, priceType: file.priceType ?? defaults.priceType,
            numberPrefix: file.numberPrefix ?? defaults.numberPrefix, statuses: file.statuses ?? defaults.statuses,
            paymentTypes: file.paymentTypes ?? defaults.paymentTypes, deliveryRules: file.deliveryRules,
            paymentLinkURL: file.paymentLinkUrl, paymentLinkKey: key,
            paymentLinkLifetimeHours: file.paymentLinkLifetimeHours ?? defaults.paymentLinkLifetimeHours, loyalty: file.loyalty,
            customFields: file.customFields ?? [],
            printForms: PrintFormSettings(
                timeoutSeconds: file.printTimeoutSeconds ?? 30,
                templates: try file.printFormsFolder.map { try PrintFormSettings.templates(inFolder: $0) } ?? [:]))
    }

    /// The settings file's shape.
    private struct SettingsFile: Decodable {
        var currency: String?
        var priceType: String?
        var numberPrefix: String?
        var statuses: [Status]?
        var paymentTypes: [PaymentType]?
        var deliveryRules: DeliveryRules?
        var paymentLinkUrl: String?
        var paymentLinkKeyFile: String?
        var paymentLinkLifetimeHours: Int64?
        var loyalty: Loyalty?
        var customFields: [CustomField]?
        var printFormsFolder: String?
        var printTimeoutSeconds: Int64?
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

/// The configuration's part of `OrderSettings` (statuses, payment types, currency), encoded once
/// where a service's handlers are made: the configuration does not change while it runs, and
/// every Order widget carries it (encoding it each time cost about 20 000 instructions).
struct EncodedOrderSettings: Sendable {
    /// `OrdersConfiguration.settings`, encoded, or why it could not be (thrown at each use, as
    /// encoding it each time would).
    private let bytes: Result<[UInt8], any Error>

    init(_ settings: OrdersConfiguration) {
        bytes = Result { try settings.settings.serializedBytes() }
    }

    /// The `OrderSettings` with `pinnedFields` (a manager's, field 4, the message's last),
    /// encoded: `OrderSettings` with `pinned_fields` set, as the wire reads it.
    func withPinnedFields(_ pinnedFields: [OrdersV1.OrderFieldDefinition]) throws -> [UInt8] {
        var encoded = try bytes.get()
        for field in pinnedFields { ProtoWire.append(4, lengthDelimited: try field.serializedBytes(), to: &encoded) }
        return encoded
    }
}
