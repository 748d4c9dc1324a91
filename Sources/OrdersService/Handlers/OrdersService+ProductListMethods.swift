import ChatPanelProto
import ChatPanelRPC

extension OrdersService {
    /// AddListedProduct, RemoveListedProduct, ListListedProducts, SendProductCards, AddToOrder:
    /// no right (a manager in the dialog keeps its list, sends cards and makes orders).
    static func registerProductListMethods(on router: inout RPCRouter, store: OrdersStore, settings: OrdersConfiguration) {
        router.register(OrdersV1.Orders.addListedProduct) { request, context in
            let manager = try context.managerID(for: "adding a product to the list")
            let owner = try ListRequestValidation.validated(owner: request.owner, productID: request.productID)
            return try await store.addListedProduct(
                owner: owner, productID: request.productID, priceType: request.priceType, by: manager, requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.removeListedProduct) { request, context in
            let owner = try ListRequestValidation.validated(owner: request.owner, productID: request.productID)
            return try await store.removeListedProduct(
                owner: owner, productID: request.productID, priceType: request.priceType, requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.listListedProducts) { request, _ in
            var violations = FieldViolations()
            let owner = ListRequestValidation.validatedOwner(request.owner, .list, into: &violations)
            try violations.throwIfAny()
            return try await store.listedProducts(owner: owner!, priceType: request.priceType)
        }
        router.register(OrdersV1.Orders.sendProductCards) { request, context in
            let manager = try context.managerID(for: "sending product cards")
            var violations = FieldViolations()
            let owner = ListRequestValidation.validatedOwner(request.owner, .list, into: &violations)
            ListRequestValidation.checkProductIDs(request.productIDs, into: &violations)
            violations.check(OrdersV1.CardSource.allCases.contains(request.source), field: "source", "is not a card source")
            try violations.throwIfAny()
            return try await store.sendProductCards(
                owner: owner!, productIDs: request.productIDs, priceType: request.priceType, source: request.source, by: manager,
                requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.addToOrder) { request, context in
            let manager = try context.managerID(for: "adding products to an order")
            var violations = FieldViolations()
            let owner = ListRequestValidation.validatedOwner(request.owner, .any, into: &violations)
            ListRequestValidation.checkProductIDs(request.productIDs, into: &violations)
            try violations.throwIfAny()
            return try await store.addToOrder(
                owner: owner!, productIDs: request.productIDs, by: manager, settings: settings, requestID: context.requestID)
        }
    }

    /// PutCart (RIGHT_ADMIN: a site tracker or shop integration), GetCart (no right),
    /// MoveOwnerRecords (RIGHT_EDIT_CLIENTS), GetPanelData (no right).
    static func registerCartMethods(
        on router: inout RPCRouter, store: OrdersStore, settings: OrdersConfiguration, encodedSettings: EncodedOrderSettings
    ) {
        router.register(OrdersV1.Orders.putCart, group: .feeds) { request, context in
            try context.require(.admin, for: "feeding carts")
            let owner = try request.validated()
            return try await store.putCart(owner: owner, version: request.version, items: request.items, requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.getCart) { request, _ in
            var violations = FieldViolations()
            let owner = ListRequestValidation.validatedOwner(request.owner, .cart, into: &violations)
            try violations.throwIfAny()
            var response = OrdersV1.GetCartResponse()
            response.cart = try await store.cart(owner: owner!, priceType: request.priceType)
            return response
        }
        router.register(OrdersV1.Orders.moveOwnerRecords) { request, context in
            try context.require(.editClients, for: "moving product lists and carts")
            var violations = FieldViolations()
            var owner: Owner? = nil
            if let from = request.from {
                owner = from.validated(.any, field: "from", into: &violations)
            } else {
                violations.add(field: "from", "is required")
            }
            violations.checkID(request.toClientID, field: "to_client_id")
            if owner == .client(request.toClientID) { violations.add(field: "to_client_id", "must differ from the client moved") }
            try violations.throwIfAny()
            return try await store.moveOwnerRecords(from: owner!, to: request.toClientID, requestID: context.requestID)
        }
        // Answered inside the read of the request: the widgets' data is one read on the loop's
        // connection, answered as the response's view (the same message on the wire).
        let getPanelData = UnaryMethod<OrdersV1.GetPanelDataRequest, OrdersV1.GetPanelDataResponseView>(
            path: OrdersV1.Orders.getPanelData.path)
        router.register(
            getPanelData,
            synchronous: { request, context in
                var violations = FieldViolations()
                violations.check(request.clientID >= 0, field: "client_id", "must be positive")
                violations.check(request.clientID > 0 || !request.dialogID.isEmpty, field: "dialog_id", "give client_id or dialog_id")
                violations.check(request.dialogID.count <= 128, field: "dialog_id", "must be at most 128 characters")
                violations.check(request.visitorID.count <= 128, field: "visitor_id", "must be at most 128 characters")
                violations.check(
                    request.ordersPageSize <= OrderLimits.maximumPageSize, field: "orders_page_size",
                    "must be at most \(OrderLimits.maximumPageSize)")
                try violations.throwIfAny()
                return try store.panelDataNow(
                    clientID: request.clientID, dialogID: request.dialogID, visitorID: request.visitorID, priceType: request.priceType,
                    ordersPageSize: Int(request.ordersPageSize), managerID: context.caller.managerID, settings: settings,
                    encodedSettings: encodedSettings)
            })
    }
}
