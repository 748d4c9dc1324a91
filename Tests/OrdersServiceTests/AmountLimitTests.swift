import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import Testing

@testable import OrdersService

/// Weights and amounts at and beyond their limits: refused by field where they come in,
/// counted without overflow where they add up, and never the cause of a crash.
@Suite struct AmountLimitTests {
    @Test func aProductsWeightAndPricesAreBoundedAndTheHeaviestOrderIsCounted() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            var heavy = Make.product("HV-1", "Станок", prices: [("retail", OrderLimits.price + 1)])
            heavy.weightGrams = 10_000_000_000_000
            await expectError(.invalidArgument, fields: ["product.weight_grams", "product.prices[0].amount_minor"]) {
                _ = try await service.call(OrdersV1.Orders.createProduct, Make.create(heavy), as: .editor)
            }
            // At the limits: 100 t at 10^12 a unit, a million of them, counted exactly.
            heavy.weightGrams = ProductLimits.weightGrams
            heavy.prices[0].amountMinor = OrderLimits.price
            let created = try #require(try await service.call(OrdersV1.Orders.createProduct, Make.create(heavy), as: .editor).product)
            let order = try await OrderContractTests.create(service, client: 8, [OrderContractTests.line(created.productID, 1)])
            #expect(order.totals?.weightGrams == ProductLimits.weightGrams)
            let most = await expectError(.invalidArgument) {
                _ = try await OrderContractTests.saveItems(service, order, [OrderContractTests.kept(order.items[0], quantity: 1_000_000)])
            }
            #expect(most?.message.contains("the most an order may hold") == true)
            let cheap = try await OrderContractTests.saveItems(
                service, order, [OrderContractTests.kept(order.items[0], quantity: 1_000_000, price: 1)])
            #expect(cheap.totals?.weightGrams == ProductLimits.weightGrams * 1_000_000 && cheap.totals?.total?.amountMinor == 1_000_000)
        }
    }

    @Test func anOrderWhoseWeightOverflowsIsRefusedNotCrashed() {
        // Only products stored before the weight limit can weigh this much.
        var order = OrdersV1.Order()
        order.currency = "RUB"
        var item = OrdersV1.OrderItem()
        item.quantity = 1_000_000
        item.weightGrams = 10_000_000_000_000
        item.price = Currency.money(1, "RUB")
        order.items = [item, item]
        var check = OrderCheck()
        OrderCalculation.reprice(&order, requiring: nil, settings: OrdersConfiguration(), into: &check)
        #expect(check.orderErrors.contains { $0.contains("weigh more than can be counted") })
        item.weightGrams = 1
        #expect(item.weight == 1_000_000)
        item.weightGrams = Int64.max / 2
        #expect(item.weight == nil)
    }

    @Test func aCartsAmountsNeverWrapAndTooDearASitePriceIsNamed() async throws {
        try await withOrdersService { service in
            let owner = Make.owner(client: 77)
            await expectError(.invalidArgument, fields: ["items[1].site_price.amount_minor"]) {
                _ = try await service.call(
                    OrdersV1.Orders.putCart,
                    Make.cart(
                        owner, version: 1,
                        [Make.cartItem("GONE-1", 1, sitePrice: 100), Make.cartItem("GONE-2", 1, sitePrice: OrderLimits.price + 1)]),
                    as: .admin)
            }
            // Two lines of 10^18 each: neither line nor the sum has a total, and nothing wraps.
            _ = try await service.call(
                OrdersV1.Orders.putCart,
                Make.cart(
                    owner, version: 2,
                    [
                        Make.cartItem("GONE-1", 1_000_000, sitePrice: OrderLimits.price),
                        Make.cartItem("GONE-2", 1_000_000, sitePrice: OrderLimits.price),
                    ]), as: .admin)
            var request = OrdersV1.GetCartRequest()
            request.owner = owner
            let dear = try #require(try await service.call(OrdersV1.Orders.getCart, request).cart)
            #expect(dear.items.allSatisfy { $0.lineTotal == nil && $0.price?.amountMinor == OrderLimits.price })
            #expect(dear.total == nil && dear.quantity == 2_000_000)
            // At the most an amount may hold: shown.
            _ = try await service.call(
                OrdersV1.Orders.putCart,
                Make.cart(owner, version: 3, [Make.cartItem("GONE-1", 1_000_000, sitePrice: 1_000_000_000)]), as: .admin)
            let most = try #require(try await service.call(OrdersV1.Orders.getCart, request).cart)
            #expect(most.total?.amountMinor == OrderPricing.maximumAmount && most.items[0].lineTotal?.amountMinor == OrderPricing.maximumAmount)
        }
    }
}
