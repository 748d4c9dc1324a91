public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension OrdersStore {
    /// A client's loyalty account (ORDER-6): level by purchases, the bonuses that can be spent
    /// now and those about to expire; nil when the shop runs no programme. A merged client's is
    /// the surviving client's (its `client_id` says so).
    public func loyaltyAccount(clientID: Int64, settings: OrdersConfiguration) async throws -> OrdersV1.LoyaltyAccount? {
        let time = now()
        return try await database.read { db in
            // A merged client's account is the survivor's, as its orders are.
            guard case .client(let current) = try OwnerMoves.resolve(.client(clientID), db) else { return nil }
            return try Self.loyaltyAccount(db, clientID: current, settings, time: time)
        }
    }

    /// Sets the bonuses an order spends (0: none); the ledger follows on save.
    public func saveOrderBonuses(_ request: OrdersV1.SaveOrderBonusesRequest, settings: OrdersConfiguration, requestID: String)
        async throws -> OrdersV1.OrderResponse
    {
        try await updateOrder(
            request.orderID, version: request.version, method: OrdersV1.Orders.saveOrderBonuses.path, settings: settings,
            requestID: requestID
        ) { order, check, _, _ in
            guard settings.loyalty != nil, var loyalty = order.loyalty else {
                return check.fields.add(field: "bonuses", "the shop runs no loyalty programme")
            }
            loyalty.bonusesSpent = request.bonuses
            order.loyalty = loyalty
        }
    }

    /// Deletes an order: the bonuses it spent go back to their grants, and what it earned and
    /// is not spent yet is withdrawn.
    ///
    /// - Throws: NOT_FOUND; ABORTED with the current order when `version` is stale.
    public func deleteOrder(id: Int64, version: UInt64, settings: OrdersConfiguration, requestID: String) async throws
        -> OrdersV1.DeleteOrderResponse
    {
        let now = database.now
        return try await database.idempotentWrite(requestID: requestID, method: OrdersV1.Orders.deleteOrder.path) { db in
            let order = try Self.current(db, id, version: version, settings)
            try Self.giveBackBonuses(db, orderID: id)
            try Self.withdrawGrants(db, orderID: id, time: now())
            try db.cachedStatement(sql: "DELETE FROM customer_order WHERE id = ?").execute(arguments: [order.orderID])
            try db.recordChanges([.order], clientID: order.clientID, at: now())
            var response = OrdersV1.DeleteOrderResponse()
            response.orderID = id
            return response
        }
    }

    /// The order with `id` at `version`, inside a transaction.
    ///
    /// - Throws: NOT_FOUND; ABORTED with the current order in the details when `version` is stale.
    static func current(_ db: Database, _ id: Int64, version: UInt64, _ settings: OrdersConfiguration) throws -> OrdersV1.Order {
        guard let order = try OrderRecords.fetch(db, id: id, settings) else { throw RPCError.notFound("order \(id) does not exist") }
        guard order.version == version else {
            var current = OrdersV1.OrderResponse()
            current.order = order
            throw RPCError(
                code: .aborted,
                message:
                    "order \(order.number) changed since version \(version) (now \(order.version)); reload it and apply the change again",
                details: try current.serializedBytes())
        }
        return order
    }

    /// Sets an order's loyalty terms before it is priced: the level by the client's purchases
    /// (its other completed orders), unless it was credited already; nothing without a programme.
    static func applyLevel(_ db: Database, _ order: inout OrdersV1.Order, _ settings: OrdersConfiguration) throws {
        guard let programme = settings.loyalty else {
            order.loyalty = nil
            return
        }
        var loyalty = order.loyalty ?? OrdersV1.OrderLoyalty()
        guard !loyalty.credited else { return }
        let purchases = try Self.purchases(db, clientID: order.clientID, excluding: order.orderID, settings)
        let level = programme.level(for: purchases)
        loyalty.level = level?.name ?? ""
        loyalty.discountHundredths = UInt32(level?.discountHundredths ?? 0)
        loyalty.bonusRateHundredths = UInt32(level?.bonusRateHundredths ?? 0)
        order.loyalty = loyalty
    }

    /// Brings the ledger to a priced order: the bonuses it spends taken again from the grants
    /// that expire first (a violation of `bonuses` when the client has too few), and what it
    /// earned credited once it is in a completed status, and withdrawn when it leaves it.
    static func settleBonuses(
        _ db: Database, _ order: inout OrdersV1.Order, _ settings: OrdersConfiguration, time: Int64, into check: inout OrderCheck
    ) throws {
        guard let programme = settings.loyalty, var loyalty = order.loyalty else { return }
        let held =
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT coalesce(sum(amount), 0) FROM bonus_use WHERE order_id = ?"), arguments: [order.orderID])
            ?? 0
        if held != loyalty.bonusesSpent {
            try giveBackBonuses(db, orderID: order.orderID)
            var wanted = loyalty.bonusesSpent
            let grants = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, remaining FROM bonus_grant WHERE client_id = ? AND remaining > 0 AND expires_at_ms > ?
                        ORDER BY expires_at_ms, id
                        """), arguments: [order.clientID, time])
            for grant in grants where wanted > 0 {
                let id: Int64 = grant[0]
                let taken = min(wanted, grant[1] as Int64)
                try db.cachedStatement(sql: "UPDATE bonus_grant SET remaining = remaining - ? WHERE id = ?").execute(arguments: [taken, id])
                try db.cachedStatement(sql: "INSERT INTO bonus_use (order_id, grant_id, amount) VALUES (?, ?, ?)").execute(arguments: [
                    order.orderID, id, taken,
                ])
                wanted -= taken
            }
            if wanted > 0 {
                check.fields.add(field: "bonuses", "the client has only \(loyalty.bonusesSpent - wanted) bonuses to spend")
                return
            }
        }
        let group = settings.statuses.first { $0.code == order.status?.code }?.group
        if !order.draft && group == "complete" && !loyalty.credited {
            if loyalty.bonusesEarned > 0 {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO bonus_grant (client_id, order_id, amount, remaining, granted_at_ms, expires_at_ms)
                        VALUES (?1, ?2, ?3, ?3, ?4, ?5)
                        """
                ).execute(arguments: [
                    order.clientID, order.orderID, loyalty.bonusesEarned, time, time + programme.bonusLifetimeDays * 86_400_000,
                ])
            }
            loyalty.credited = true
            order.loyalty = loyalty
        }
        if group != "complete" && loyalty.credited {
            // Cancelled, or back in an earlier status: what it earned is not the client's any more.
            try withdrawGrants(db, orderID: order.orderID, time: time)
            loyalty.credited = false
            order.loyalty = loyalty
        }
    }

    /// Withdraws what an order credited: what is left of its grants is gone, and bonuses spent
    /// from them and given back later do not return to them.
    static func withdrawGrants(_ db: Database, orderID: Int64, time: Int64) throws {
        try db.cachedStatement(sql: "UPDATE bonus_grant SET remaining = 0, withdrawn_at_ms = ? WHERE order_id = ? AND withdrawn_at_ms IS NULL")
            .execute(arguments: [time, orderID])
    }

    /// Returns what an order spends to the grants it came from, but not to withdrawn ones.
    static func giveBackBonuses(_ db: Database, orderID: Int64) throws {
        try db.cachedStatement(
            sql: """
                UPDATE bonus_grant SET remaining = remaining + (SELECT amount FROM bonus_use WHERE order_id = ?1 AND grant_id = bonus_grant.id)
                WHERE id IN (SELECT grant_id FROM bonus_use WHERE order_id = ?1) AND withdrawn_at_ms IS NULL
                """
        ).execute(arguments: [orderID])
        try db.cachedStatement(sql: "DELETE FROM bonus_use WHERE order_id = ?").execute(arguments: [orderID])
    }

    /// The totals of a client's orders in a completed status, but `excluding`.
    static func purchases(_ db: Database, clientID: Int64, excluding: Int64, _ settings: OrdersConfiguration) throws -> Int64 {
        let complete = settings.statuses.filter { $0.group == "complete" }.map(\.code)
        guard !complete.isEmpty else { return 0 }
        let marks = complete.map { _ in "?" }.joined(separator: ", ")
        return try Int64.fetchOne(
            db.cachedStatement(
                sql: "SELECT coalesce(sum(total_minor), 0) FROM customer_order WHERE client_id = ? AND status IN (\(marks)) AND id != ?"),
            arguments: StatementArguments([clientID] + complete.map { $0 as any DatabaseValueConvertible } + [excluding])) ?? 0
    }

    /// A client's account, inside a transaction; nil without a programme.
    static func loyaltyAccount(_ db: Database, clientID: Int64, _ settings: OrdersConfiguration, time: Int64) throws
        -> OrdersV1.LoyaltyAccount?
    {
        guard let programme = settings.loyalty else { return nil }
        var account = OrdersV1.LoyaltyAccount()
        account.clientID = clientID
        let purchases = try Self.purchases(db, clientID: clientID, excluding: 0, settings)
        account.purchases = Currency.money(purchases, settings.currency)
        account.level = programme.level(for: purchases)?.name ?? ""
        account.balance =
            try db.positionalRow(
                sql: "SELECT coalesce(sum(remaining), 0) FROM bonus_grant WHERE client_id = ? AND expires_at_ms > ?", [clientID, time]
            ).map { $0[0] } ?? 0
        let rows = try db.positionalRows(
            sql: """
                SELECT order_id, amount, remaining, granted_at_ms, expires_at_ms FROM bonus_grant
                WHERE client_id = ? AND remaining > 0 AND expires_at_ms > ? AND expires_at_ms <= ? ORDER BY expires_at_ms, id
                """, [clientID, time, time + programme.expiringWithinDays * 86_400_000])
        account.expiring = rows.map { row in
            var grant = OrdersV1.BonusGrant()
            grant.orderID = row[0]
            grant.amount = row[1]
            grant.remaining = row[2]
            grant.grantedAtMs = row[3]
            grant.expiresAtMs = row[4]
            return grant
        }
        return account
    }
}
