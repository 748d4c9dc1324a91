import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import OrdersService
import Testing

/// Custom order fields over the real socket: found by search, pinned per manager, typed values
/// read into their canonical form, bad ones named by path.
@Suite struct CustomFieldContractTests {
    static let settings = OrdersConfiguration(customFields: [
        .init(code: "gift_wrap", name: "Подарочная упаковка", type: "boolean"),
        .init(code: "delivery_floor", name: "Этаж доставки", type: "integer"),
        .init(code: "deadline", name: "Срок поставки", type: "date"),
        .init(
            code: "channel", name: "Канал продаж", type: "dictionary",
            options: [.init(code: "tg", name: "Телеграм"), .init(code: "wa", name: "WhatsApp")]),
        .init(code: "discount_card", name: "Карта со скидкой", type: "decimal"),
        .init(code: "buyer_email", name: "Почта покупателя", type: "email"),
    ])

    static func search(_ service: OrdersHarness, _ query: String, as caller: RPCV1.Caller = .manager(1)) async throws -> [String] {
        var request = OrdersV1.SearchOrderFieldsRequest()
        request.query = query
        return try await service.call(OrdersV1.Orders.searchOrderFields, request, as: caller).fields.map {
            $0.code + ($0.pinned ? "*" : "")
        }
    }

    static func pin(_ service: OrdersHarness, _ code: String, _ pinned: Bool = true, as caller: RPCV1.Caller) async throws -> [String] {
        var request = OrdersV1.PinOrderFieldRequest()
        request.code = code
        request.pinned = pinned
        return try await service.call(OrdersV1.Orders.pinOrderField, request, as: caller).pinnedFields.map(\.code)
    }

    @Test func fieldsAreFoundBySearchAndPinnedPerManager() async throws {
        try await withOrdersService(settings: Self.settings) { service in
            #expect(try await Self.search(service, "").count == 6)
            // "доставк" starts no name but is inside "Этаж доставки"; "ка" starts two names and is inside "упаковка".
            #expect(try await Self.search(service, "доставк") == ["delivery_floor"])
            #expect(try await Self.search(service, "ка") == ["channel", "discount_card", "gift_wrap"])
            #expect(try await Self.search(service, "GIFT") == ["gift_wrap"])
            #expect(try await Self.pin(service, "deadline", as: .manager(1)) == ["deadline"])
            #expect(try await Self.pin(service, "gift_wrap", as: .manager(1)) == ["deadline", "gift_wrap"])
            #expect(try await Self.pin(service, "channel", as: .manager(2)) == ["channel"])
            #expect(try await Self.search(service, "срок") == ["deadline*"])
            #expect(try await Self.search(service, "срок", as: .manager(2)) == ["deadline"])
            #expect(try await Self.pin(service, "deadline", false, as: .manager(1)) == ["gift_wrap"])
            let settings = try await service.call(OrdersV1.Orders.getOrderSettings, OrdersV1.GetOrderSettingsRequest(), as: .manager(2))
            #expect(settings.pinnedFields.map(\.code) == ["channel"] && settings.pinnedFields[0].options.count == 2)
            await expectError(.invalidArgument, fields: ["code"]) { _ = try await Self.pin(service, "nothing", as: .manager(1)) }
        }
    }

    @Test func valuesAreTypedLikeTheClientsFieldsAndBadOnesNamed() async throws {
        try await withOrdersService(settings: Self.settings) { service in
            let order = try await OrderContractTests.create(service, client: 71)
            var request = OrdersV1.SaveOrderFieldsRequest()
            request.orderID = order.orderID
            request.version = order.version
            func value(_ code: String, _ text: String) -> OrdersV1.OrderFieldValue {
                var value = OrdersV1.OrderFieldValue()
                value.code = code
                value.value = text
                return value
            }
            request.customFields = [
                value("gift_wrap", "да"), value("delivery_floor", " 7 "), value("deadline", "31.03.2027"), value("channel", "whatsapp"),
                value("discount_card", "0012,50"), value("buyer_email", "Anna@Example.RU"),
            ]
            let saved = try #require(try await service.call(OrdersV1.Orders.saveOrderFields, request).order)
            #expect(saved.customFields.map(\.value) == ["true", "7", "2027-03-31", "wa", "12.50", "anna@example.ru"])
            #expect(saved.customFields.first { $0.code == "channel" }?.displayValue == "WhatsApp")
            // Clearing one keeps the others.
            request.version = saved.version
            request.customFields = [value("gift_wrap", "")]
            let cleared = try #require(try await service.call(OrdersV1.Orders.saveOrderFields, request).order)
            #expect(cleared.customFields.map(\.code) == ["delivery_floor", "deadline", "channel", "discount_card", "buyer_email"])
            // Every bad one is named; nothing is written.
            request.version = cleared.version
            request.customFields = [
                value("gift_wrap", "maybe"), value("delivery_floor", "7.5"), value("deadline", "2027-02-30"), value("channel", "viber"),
                value("discount_card", "1.2.3"), value("buyer_email", "anna"), value("colour", "red"), value("gift_wrap", "да"),
            ]
            await expectError(
                .invalidArgument,
                fields: [
                    "custom_fields[0].value", "custom_fields[1].value", "custom_fields[2].value", "custom_fields[3].value",
                    "custom_fields[4].value", "custom_fields[5].value", "custom_fields[6].code", "custom_fields[7].code",
                ]
            ) { _ = try await service.call(OrdersV1.Orders.saveOrderFields, request) }
            #expect(try await OrderContractTests.get(service, order.orderID).customFields.count == 5)
        }
        #expect(OrdersConfiguration(customFields: [.init(code: "x y", name: "X", type: "colour")]).problems.count == 2)
    }
}
