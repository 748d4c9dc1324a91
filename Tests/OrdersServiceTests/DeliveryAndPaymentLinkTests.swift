import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import Foundation
import OrdersService
import Synchronization
import Testing

/// Delivery cost by the configured rules, "clear address", and signed payment links, over the
/// real socket.
@Suite struct DeliveryAndPaymentLinkTests {
    /// Free from 10 000 ₽; up to 2 kg 300 ₽, up to 10 kg 500 ₽, nothing above; +200 ₽ to the
    /// Moscow region. Payment links signed with a 32-byte key, lasting one hour.
    static let settings = OrdersConfiguration(
        deliveryRules: .init(
            freeFromMinor: 1_000_000,
            weightBands: [.init(upToGrams: 2_000, costMinor: 30_000), .init(upToGrams: 10_000, costMinor: 50_000)],
            regions: [.init(region: "Московская область", extraMinor: 20_000)]),
        paymentLinkURL: "https://pay.shop.example/order", paymentLinkKey: Array("0123456789abcdef0123456789abcdef".utf8),
        paymentLinkLifetimeHours: 1)

    static func saveDelivery(_ service: OrdersHarness, _ order: OrdersV1.Order, _ delivery: OrdersV1.Delivery, clear: Bool = false)
        async throws -> OrdersV1.Order
    {
        var request = OrdersV1.SaveOrderDeliveryRequest()
        request.orderID = order.orderID
        request.version = order.version
        request.delivery = delivery
        request.clearAddress = clear
        return try #require(try await service.call(OrdersV1.Orders.saveOrderDelivery, request).order)
    }

    static func byRules(region: String) -> OrdersV1.Delivery {
        var delivery = OrdersV1.Delivery()
        delivery.type = "courier"
        delivery.region = region
        delivery.city = "Химки"
        delivery.street = "Ленина, 1"
        delivery.postalCode = "141400"
        delivery.costByRules = true
        return delivery
    }

    @Test func theRulesPriceDeliveryByWeightSumAndRegionOnEverySave() async throws {
        try await withOrdersService(settings: Self.settings) { service in
            try await service.loadCatalog()
            let kettle = try await service.productID("CH-1")
            let order = try await OrderContractTests.create(service, client: 51, [OrderContractTests.line(kettle)])
            let light = try await Self.saveDelivery(service, order, Self.byRules(region: "Москва"))
            #expect(light.delivery?.costMinor == 30_000 && light.delivery?.costDetails == "up to 2000 g: 300,00\u{00A0}₽")
            #expect(light.totals?.delivery?.amountMinor == 30_000 && light.totals?.total?.amountMinor == 229_000)
            // Two kettles weigh 3 kg: the next band, recomputed by the items' save.
            let heavier = try await OrderContractTests.saveItems(service, light, [OrderContractTests.kept(light.items[0], quantity: 2)])
            #expect(heavier.delivery?.costMinor == 50_000)
            let region = try await Self.saveDelivery(service, heavier, Self.byRules(region: "московская область"))
            #expect(region.delivery?.costMinor == 70_000 && region.delivery?.costDetails.contains("region Московская область") == true)
            // 6 kettles are 11 940 ₽: free from 10 000 ₽.
            let free = try await OrderContractTests.saveItems(service, region, [OrderContractTests.kept(region.items[0], quantity: 6)])
            #expect(free.delivery?.costMinor == 0 && free.delivery?.costDetails == "free from 10\u{00A0}000,00\u{00A0}₽")
            // 7 kettles at 10 ₽ weigh 10.5 kg: above every band, so the save is refused.
            await expectError(.invalidArgument, fields: ["delivery.cost_by_rules"]) {
                _ = try await OrderContractTests.saveItems(
                    service, free, [OrderContractTests.kept(free.items[0], quantity: 7, price: 1000)])
            }
            // A typed cost says so.
            var typed = Self.byRules(region: "Москва")
            typed.costByRules = false
            typed.costMinor = 12_300
            let manual = try await Self.saveDelivery(service, free, typed)
            #expect(manual.delivery?.costMinor == 12_300 && manual.delivery?.costDetails == "typed")
            // "Clear address": the address goes, the type stays.
            let cleared = try await Self.saveDelivery(service, manual, typed, clear: true)
            let delivery = try #require(cleared.delivery)
            #expect(delivery.region.isEmpty && delivery.city.isEmpty && delivery.street.isEmpty && delivery.postalCode.isEmpty)
            #expect(delivery.type == "courier" && delivery.costMinor == 12_300)
        }
    }

    @Test func withoutRulesACostByRulesIsRefused() async throws {
        try await withOrdersService { service in
            let order = try await OrderContractTests.create(service, client: 52)
            var request = OrdersV1.SaveOrderDeliveryRequest()
            request.orderID = order.orderID
            request.version = order.version
            request.delivery = Self.byRules(region: "Москва")
            await expectError(.invalidArgument, fields: ["delivery.cost_by_rules"]) {
                _ = try await service.call(OrdersV1.Orders.saveOrderDelivery, request)
            }
        }
    }

    static func link(_ service: OrdersHarness, _ order: OrdersV1.Order, payment: Int64) async throws -> OrdersV1.PaymentLink {
        var request = OrdersV1.CreatePaymentLinkRequest()
        request.orderID = order.orderID
        request.paymentID = payment
        return try #require(try await service.call(OrdersV1.Orders.createPaymentLink, request).link)
    }

    static func verify(_ service: OrdersHarness, _ url: String) async throws -> OrdersV1.VerifyPaymentLinkResponse {
        var request = OrdersV1.VerifyPaymentLinkRequest()
        request.url = url
        return try await service.call(OrdersV1.Orders.verifyPaymentLink, request)
    }

    @Test func paymentLinksAreSignedStableAndVerifiable() async throws {
        let clock = ManualClock()
        try await withOrdersService(now: clock.read, settings: Self.settings) { service in
            try await service.loadCatalog()
            let order = try await OrderContractTests.create(
                service, client: 53, [OrderContractTests.line(try await service.productID("CH-1"))])
            let withPayments = try await OrderContractTests.savePayments(
                service, order,
                [OrderContractTests.payment("online", 150_000, .notPaid), OrderContractTests.payment("cash", 49_000, .notPaid)])
            let link = try await Self.link(service, withPayments, payment: 1)
            let prefix = "https://pay.shop.example/order?order=\(order.orderID)&payment=1&amount=150000&currency=RUB&expires="
            #expect(link.url.hasPrefix(prefix) && link.url.contains("&signature="))
            #expect(link.amount?.amountMinor == 150_000 && link.expiresAtMs == withPayments.updatedAtMs + 3_600_000)
            // The same request gives the same link, even later.
            clock.advance(by: 60_000)
            #expect(try await Self.link(service, withPayments, payment: 1).url == link.url)
            let checked = try await Self.verify(service, link.url)
            #expect(checked.valid && !checked.expired && checked.link?.orderNumber == order.number && checked.link?.paymentID == 1)
            // Altered, it no longer verifies.
            let altered = try await Self.verify(service, link.url.replacingOccurrences(of: "amount=150000", with: "amount=1"))
            #expect(!altered.valid && altered.reason.contains("signature"))
            #expect(try await Self.verify(service, "https://elsewhere.example/?order=1").valid == false)
            // Only exactly as made: nothing added, repeated, reordered or re-spelt.
            let signature = try #require(link.url.split(separator: "&signature=").last)
            let base = "https://pay.shop.example/order?"
            let terms = String(link.url.dropFirst(base.count)).components(separatedBy: "&signature=")[0]
            let parts = terms.components(separatedBy: "&")
            for variant in [
                link.url + "&utm=x", link.url + "&amount=1", base + "x=1&" + String(link.url.dropFirst(base.count)),
                base + ([parts[1], parts[0]] + parts.dropFirst(2)).joined(separator: "&") + "&signature=" + signature,
                link.url.replacingOccurrences(of: String(signature), with: signature.uppercased()),
            ] {
                let refused = try await Self.verify(service, variant)
                #expect(!refused.valid && !refused.reason.isEmpty, "\(variant)")
            }
            // A payment whose amount changed: the old link no longer pays it, the new one does.
            let changed = try await OrderContractTests.savePayments(
                service, withPayments,
                [OrderContractTests.payment("online", 120_000, .notPaid, id: 1), OrderContractTests.payment("cash", 49_000, .notPaid, id: 2)])
            let stale = try await Self.verify(service, link.url)
            #expect(!stale.valid && !stale.expired && stale.reason.contains("now"))
            let renewed = try await Self.link(service, changed, payment: 1)
            #expect(try await Self.verify(service, renewed.url).valid)
            // Paid, it no longer pays.
            _ = try await OrderContractTests.savePayments(
                service, changed,
                [OrderContractTests.payment("online", 120_000, .paid, id: 1), OrderContractTests.payment("cash", 49_000, .notPaid, id: 2)])
            let settled = try await Self.verify(service, renewed.url)
            #expect(!settled.valid && settled.reason.contains("paid"))
            // Past its lifetime it is signed but expired.
            clock.advance(by: 3_600_000)
            let late = try await Self.verify(service, link.url)
            #expect(!late.valid && late.expired)
            // Only a not-paid payment of an online type, on an order not paid in full.
            await expectError(.failedPrecondition) { _ = try await Self.link(service, withPayments, payment: 2) }
            await expectError(.notFound) { _ = try await Self.link(service, withPayments, payment: 9) }
            let current = try await OrderContractTests.get(service, order.orderID)
            let paid = try await OrderContractTests.savePayments(
                service, current,
                [OrderContractTests.payment("online", 150_000, .paid, id: 1), OrderContractTests.payment("cash", 49_000, .notPaid, id: 2)])
            await expectError(.failedPrecondition) { _ = try await Self.link(service, paid, payment: 1) }
        }
    }

    @Test func withoutAKeyThereAreNoLinks() async throws {
        try await withOrdersService { service in
            let order = try await OrderContractTests.create(service, client: 54)
            await expectError(.failedPrecondition) { _ = try await Self.link(service, order, payment: 1) }
        }
        #expect(OrdersConfiguration(paymentLinkURL: "https://pay.example", paymentLinkKey: [1, 2, 3]).problems.count == 1)
        #expect(OrdersConfiguration(paymentLinkURL: "https://pay.example").problems.count == 1)
    }
}

/// A clock a test sets and moves.
final class ManualClock: Sendable {
    private let time = Mutex<Int64>(1_800_000_000_000)

    /// The time now.
    func read() -> Int64 { time.withLock { $0 } }

    /// Moves the time forward.
    func advance(by milliseconds: Int64) { time.withLock { $0 += milliseconds } }
}
