import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import OrdersService
import Testing

/// The loyalty programme over the real socket: levels by purchases, bonuses credited on
/// completion, spent oldest first within the cap, given back on cancel and delete, expiring,
/// and moved on a merge.
@Suite struct LoyaltyContractTests {
    /// Базовый from 0 (5 % bonuses), Серебро from 10 000 ₽ (5 % off, 10 % bonuses); bonuses last
    /// 365 days, pay at most 30 % of an order, and show as expiring 30 days ahead. Statuses
    /// without required fields.
    static let settings = OrdersConfiguration(
        statuses: [
            .init(code: "new", name: "Новый", group: "new"), .init(code: "done", name: "Выполнен", group: "complete"),
            .init(code: "cancelled", name: "Отменён", group: "cancel"),
        ],
        loyalty: .init(
            levels: [
                .init(name: "Базовый", fromMinor: 0, bonusRateHundredths: 500),
                .init(name: "Серебро", fromMinor: 1_000_000, discountHundredths: 500, bonusRateHundredths: 1_000),
            ], bonusLifetimeDays: 365, maxSpendShareHundredths: 3_000, expiringWithinDays: 30))

    static func account(_ service: OrdersHarness, _ client: Int64) async throws -> OrdersV1.LoyaltyAccount {
        var request = OrdersV1.GetLoyaltyAccountRequest()
        request.clientID = client
        return try #require(try await service.call(OrdersV1.Orders.getLoyaltyAccount, request).account)
    }

    static func spend(_ service: OrdersHarness, _ order: OrdersV1.Order, _ bonuses: Int64) async throws -> OrdersV1.Order {
        var request = OrdersV1.SaveOrderBonusesRequest()
        request.orderID = order.orderID
        request.version = order.version
        request.bonuses = bonuses
        return try #require(try await service.call(OrdersV1.Orders.saveOrderBonuses, request).order)
    }

    /// A placed order of `count` kettles (199 000 each), completed unless `complete` is false.
    static func order(_ service: OrdersHarness, client: Int64, kettles: Int64, complete: Bool = true) async throws -> OrdersV1.Order {
        let kettle = try await service.productID("CH-1")
        let draft = try await OrderContractTests.create(service, client: client, [OrderContractTests.line(kettle, kettles)])
        let placed = try await OrderContractTests.changeStatus(service, draft, "new")
        return complete ? try await OrderContractTests.changeStatus(service, placed, "done") : placed
    }

    @Test func bonusesAreEarnedOnCompletionSpentOldestFirstAndGivenBack() async throws {
        let clock = ManualClock()
        try await withOrdersService(now: clock.read, settings: Self.settings) { service in
            try await service.loadCatalog()
            // 2 kettles at the base level earn 5 % of 3 980 ₽, credited on completion.
            let first = try await Self.order(service, client: 61, kettles: 2)
            #expect(first.loyalty?.level == "Базовый" && first.loyalty?.bonusesEarned == 19_900 && first.loyalty?.credited == true)
            var account = try await Self.account(service, 61)
            #expect(account.balance == 19_900 && account.purchases?.amountMinor == 398_000 && account.level == "Базовый")
            #expect(account.expiring.isEmpty)

            // Spending: not more than the client has, nor more than 30 % of the order.
            let second = try await Self.order(service, client: 61, kettles: 1, complete: false)
            await expectError(.invalidArgument, fields: ["bonuses"]) { _ = try await Self.spend(service, second, 59_701) }
            await expectError(.invalidArgument, fields: ["bonuses"]) { _ = try await Self.spend(service, second, 20_000) }
            let spending = try await Self.spend(service, second, 10_000)
            #expect(spending.totals?.bonusesSpent?.amountMinor == 10_000 && spending.totals?.total?.amountMinor == 189_000)
            #expect(spending.loyalty?.bonusesEarned == 9_450)
            #expect(try await Self.account(service, 61).balance == 9_900)
            // Cancelling gives them back.
            let cancelled = try await OrderContractTests.changeStatus(service, spending, "cancelled")
            #expect(cancelled.loyalty?.bonusesSpent == 0 && cancelled.totals?.total?.amountMinor == 199_000)
            #expect(try await Self.account(service, 61).balance == 19_900)

            // 340 days on, a big order lifts the client to Серебро; the first grant now expires within 30 days.
            clock.advance(by: 340 * 86_400_000)
            let big = try await Self.order(service, client: 61, kettles: 6)
            #expect(big.loyalty?.bonusesEarned == 59_700)
            account = try await Self.account(service, 61)
            #expect(account.level == "Серебро" && account.balance == 79_600 && account.expiring.map(\.remaining) == [19_900])
            // Серебро: 5 % off; 25 000 bonuses come from the grant expiring first, then the next.
            let third = try await Self.order(service, client: 61, kettles: 1, complete: false)
            #expect(third.loyalty?.level == "Серебро" && third.totals?.levelDiscount?.amountMinor == 9_950)
            #expect(third.items[0].levelDiscount?.amountMinor == 9_950 && third.totals?.total?.amountMinor == 189_050)
            let spent = try await Self.spend(service, third, 25_000)
            #expect(spent.totals?.total?.amountMinor == 164_050 && spent.loyalty?.bonusesEarned == 16_405)
            account = try await Self.account(service, 61)
            #expect(account.balance == 54_600 && account.expiring.isEmpty)
            // Deleting the order gives back to the same grants.
            var delete = OrdersV1.DeleteOrderRequest()
            delete.orderID = spent.orderID
            delete.version = spent.version
            _ = try await service.call(OrdersV1.Orders.deleteOrder, delete)
            await expectError(.notFound) { _ = try await OrderContractTests.get(service, spent.orderID) }
            account = try await Self.account(service, 61)
            #expect(account.balance == 79_600 && account.expiring.map(\.remaining) == [19_900])
            // Past its lifetime the first grant is gone from the balance.
            clock.advance(by: 30 * 86_400_000)
            #expect(try await Self.account(service, 61).balance == 59_700)

            // A merge moves the account with the orders.
            var move = OrdersV1.MoveOwnerRecordsRequest()
            move.from = Make.owner(client: 61)
            move.toClientID = 62
            _ = try await service.call(OrdersV1.Orders.moveOwnerRecords, move, as: .manager(1, [.editClients]))
            account = try await Self.account(service, 62)
            #expect(account.balance == 59_700 && account.purchases?.amountMinor == 398_000 + 1_194_000)
            // Asked for by the merged client's id, the account is the survivor's.
            let merged = try await Self.account(service, 61)
            #expect(merged.clientID == 62 && merged.balance == 59_700)
        }
    }

    @Test func bonusesWithdrawnWithTheirOrderNeverComeBack() async throws {
        try await withOrdersService(settings: Self.settings) { service in
            try await service.loadCatalog()
            let earning = try await Self.order(service, client: 71, kettles: 2)
            #expect(try await Self.account(service, 71).balance == 19_900)
            let spending = try await Self.spend(service, try await Self.order(service, client: 71, kettles: 1, complete: false), 10_000)
            #expect(try await Self.account(service, 71).balance == 9_900)
            // The earning order is cancelled: what is left of its bonuses is withdrawn.
            let withdrawn = try await OrderContractTests.changeStatus(service, earning, "cancelled")
            #expect(withdrawn.loyalty?.credited == false)
            #expect(try await Self.account(service, 71).balance == 0)
            // The spending one too: its bonuses do not return to the withdrawn grant.
            _ = try await OrderContractTests.changeStatus(service, spending, "cancelled")
            #expect(try await Self.account(service, 71).balance == 0)
            // Completed again: credited again; back to new: withdrawn again.
            let again = try await OrderContractTests.changeStatus(service, withdrawn, "done")
            #expect(again.loyalty?.credited == true)
            #expect(try await Self.account(service, 71).balance == 19_900)
            let reopened = try await OrderContractTests.changeStatus(service, again, "new")
            #expect(reopened.loyalty?.credited == false)
            #expect(try await Self.account(service, 71).balance == 0)
            // A deleted order's bonuses spent elsewhere do not come back either.
            let done = try await OrderContractTests.changeStatus(service, reopened, "done")
            let other = try await Self.spend(service, try await Self.order(service, client: 71, kettles: 1, complete: false), 5_000)
            var delete = OrdersV1.DeleteOrderRequest()
            delete.orderID = done.orderID
            delete.version = done.version
            _ = try await service.call(OrdersV1.Orders.deleteOrder, delete)
            #expect(try await Self.account(service, 71).balance == 0)
            _ = try await OrderContractTests.changeStatus(service, other, "cancelled")
            #expect(try await Self.account(service, 71).balance == 0)
        }
    }

    @Test func withoutAProgrammeOrdersHaveNoLoyalty() async throws {
        try await withOrdersService { service in
            let order = try await OrderContractTests.create(service, client: 63)
            #expect(order.loyalty == nil)
            await expectError(.invalidArgument, fields: ["bonuses"]) { _ = try await Self.spend(service, order, 1) }
            var request = OrdersV1.GetLoyaltyAccountRequest()
            request.clientID = 63
            #expect(try await service.call(OrdersV1.Orders.getLoyaltyAccount, request).account == nil)
        }
        let bad = OrdersConfiguration(
            loyalty: .init(levels: [.init(name: "A", fromMinor: 5), .init(name: "B", fromMinor: 1, discountHundredths: 20_000)]))
        #expect(bad.problems.count == 2)
    }
}
