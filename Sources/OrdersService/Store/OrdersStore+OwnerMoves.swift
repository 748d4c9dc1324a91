public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension OrdersStore {
    /// Moves an owner's product list, cart and orders to client `toClientID`, in one transaction: a
    /// dialog whose contact was saved as a client (CLIENT-1), a visitor who turned out to be a
    /// client, a client merged into another (CLIENT-9).
    ///
    /// Listed products merge with the client's (the earlier addition and the sendings of both
    /// are kept); the cart becomes the client's when it is newer than the client's own; a merged
    /// client's orders become the survivor's (``moveOrders(_:_:to:time:)`` on the second draft).
    /// Afterwards writes for the old owner go to the client. Repeating it (with any request
    /// id) moves whatever is left and answers the move's totals.
    ///
    /// - Throws: FAILED_PRECONDITION when the owner was moved into another client, or
    ///   `toClientID` was itself merged away.
    public func moveOwnerRecords(from owner: Owner, to toClientID: Int64, requestID: String) async throws
        -> OrdersV1.MoveOwnerRecordsResponse
    {
        let now = database.now
        return try await database.idempotentWrite(requestID: requestID, method: OrdersV1.Orders.moveOwnerRecords.path) { db in
            let time = now()
            let earlier = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT to_client_id, listed_moved, cart_moved FROM owner_move WHERE from_owner = ?"),
                arguments: [owner.key])
            if let earlier {
                let destination: Int64 = earlier[0]
                guard destination == toClientID else {
                    throw RPCError.failedPrecondition("\(owner.key) was already moved into client \(destination)")
                }
            }
            let target = Owner.client(toClientID)
            if case .client(let destination) = try OwnerMoves.resolve(target, db), destination != toClientID {
                throw RPCError.failedPrecondition("client \(toClientID) was merged into client \(destination); move into that client")
            }
            // The list: merge row by row, keeping the earlier addition and adding up sendings.
            try db.cachedStatement(
                sql: """
                    INSERT INTO listed_product (owner, product_id, added_at_ms, added_by_id, last_sent_at_ms, sent_count)
                    SELECT ?1, product_id, added_at_ms, added_by_id, last_sent_at_ms, sent_count FROM listed_product WHERE owner = ?2
                    ON CONFLICT (owner, product_id) DO UPDATE SET
                        added_by_id = CASE WHEN excluded.added_at_ms < added_at_ms THEN excluded.added_by_id ELSE added_by_id END,
                        added_at_ms = min(added_at_ms, excluded.added_at_ms),
                        last_sent_at_ms = max(last_sent_at_ms, excluded.last_sent_at_ms),
                        sent_count = sent_count + excluded.sent_count
                    """
            ).execute(arguments: [target.key, owner.key])
            try db.cachedStatement(sql: "DELETE FROM listed_product WHERE owner = ?").execute(arguments: [owner.key])
            let listed = Int64(db.changesCount)
            // The cart: the newer one wins.
            var cartMoved = false
            if let version = try Int64.fetchOne(db.cachedStatement(sql: "SELECT version FROM cart WHERE owner = ?"), arguments: [owner.key])
            {
                let targetVersion = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT version FROM cart WHERE owner = ?"), arguments: [target.key])
                if targetVersion.map({ version > $0 }) ?? true {
                    try Self.replaceCart(db, owner: target, version: version, updatedAt: time, items: try Self.cartLines(db, owner))
                    cartMoved = true
                }
                try db.cachedStatement(sql: "DELETE FROM cart WHERE owner = ?").execute(arguments: [owner.key])
            }
            let (ordersMoved, draftPlaced) = try Self.moveOrders(db, owner, to: toClientID, time: time)
            try db.cachedStatement(
                sql: """
                    INSERT INTO owner_move (from_owner, to_client_id, listed_moved, cart_moved, first_moved_at_ms, last_moved_at_ms,
                        orders_moved, draft_placed)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)
                    ON CONFLICT (from_owner) DO UPDATE SET
                        listed_moved = listed_moved + excluded.listed_moved, cart_moved = cart_moved OR excluded.cart_moved,
                        last_moved_at_ms = excluded.last_moved_at_ms, orders_moved = orders_moved + excluded.orders_moved,
                        draft_placed = draft_placed OR excluded.draft_placed
                    """
            ).execute(arguments: [owner.key, toClientID, listed, cartMoved, time, ordersMoved, draftPlaced])
            let totals = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT listed_moved, cart_moved, orders_moved, draft_placed FROM owner_move WHERE from_owner = ?"),
                arguments: [owner.key])
            let listedTotal: Int64 = totals?[0] ?? 0
            let ordersTotal: Int64 = totals?[2] ?? 0
            for moved in [owner, target] { try moved.recordChanges([.products, .cart, .order], db, at: time) }
            var response = OrdersV1.MoveOwnerRecordsResponse()
            response.listedProductsMoved = UInt32(clamping: listedTotal)
            response.cartMoved = totals?[1] ?? false
            response.ordersMoved = UInt32(clamping: ordersTotal)
            response.draftPlaced = totals?[3] ?? false
            response.repeated = earlier != nil
            return response
        }
    }

    /// Moves a merged client's orders and bonus grants to `toClientID` (each order's version
    /// grows). When both
    /// have a draft, the merged client's draft is placed as an ordinary order in the status it
    /// is in, so that the survivor keeps one draft (its own) and nothing is lost. Answers how
    /// many orders moved and whether a draft was placed.
    static func moveOrders(_ db: Database, _ owner: Owner, to toClientID: Int64, time: Int64) throws -> (Int64, Bool) {
        guard case .client(let fromClientID) = owner else { return (0, false) }
        let draftSQL = "SELECT id FROM customer_order WHERE client_id = ? AND is_draft = 1"
        var draftPlaced = false
        if let draft = try Int64.fetchOne(db.cachedStatement(sql: draftSQL), arguments: [fromClientID]),
            try Int64.fetchOne(db.cachedStatement(sql: draftSQL), arguments: [toClientID]) != nil
        {
            try db.cachedStatement(sql: "UPDATE customer_order SET is_draft = 0 WHERE id = ?").execute(arguments: [draft])
            draftPlaced = true
        }
        try db.cachedStatement(
            sql: "UPDATE customer_order SET client_id = ?, version = version + 1, updated_at_ms = ? WHERE client_id = ?"
        ).execute(arguments: [toClientID, time, fromClientID])
        let moved = Int64(db.changesCount)
        // The loyalty account: the merged client's grants become the survivor's.
        try db.cachedStatement(sql: "UPDATE bonus_grant SET client_id = ? WHERE client_id = ?").execute(arguments: [
            toClientID, fromClientID,
        ])
        return (moved, draftPlaced)
    }

    /// The Products, Cart and Order widgets' data in one snapshot: the client's list (the
    /// dialog's before the contact is saved), the client's cart (the visitor's when the client
    /// has none) and the first page of the client's orders.
    ///
    /// Read at once (``ChatPanelStore/SQLiteStore/readNow(_:)``), for the handler that answers
    /// inside the read of its request. The answer is a `GetPanelDataResponse` on the wire, made
    /// as its view: each part encoded on its own, the products from their stored fields
    /// (``ShownProduct``), the orders as the store keeps them (``OrderRecords/encodedOrder(_:_:)``).
    func panelDataNow(
        clientID: Int64, dialogID: String, visitorID: String, priceType: String, ordersPageSize: Int, managerID: Int64,
        settings: OrdersConfiguration, encodedSettings: EncodedOrderSettings
    ) throws -> OrdersV1.GetPanelDataResponseView {
        let time = now()
        return try database.readNow { db in
            let references = try priceTypes.references(db)
            let type = try Self.priceType(priceType, references)
            var response = OrdersV1.GetPanelDataResponseView()
            // The client's list and cart are one owner's: resolved once.
            let clientOwner = clientID > 0 ? try OwnerMoves.resolve(.client(clientID), db) : nil
            let listOwner = try clientOwner ?? OwnerMoves.resolve(.dialog(dialogID), db)
            response.list = try Self.encodedProductList(db, listOwner, type, references)
            var cart = try clientOwner.flatMap { try Self.encodedCart(db, $0, type, references) }
            if cart == nil && !visitorID.isEmpty {
                cart = try Self.encodedCart(db, try OwnerMoves.resolve(.visitor(visitorID), db), type, references)
            }
            response.cart = cart
            if case .client(let resolved)? = clientOwner, ordersPageSize > 0 {
                response.orders = try Self.listOrders(
                    db, OrderPage(clientID: clientID, size: ordersPageSize, after: nil), settings, encodedSettings, managerID: managerID,
                    time: time, resolvedClientID: resolved
                ).onePassBytes()
            }
            return response
        }
    }
}
