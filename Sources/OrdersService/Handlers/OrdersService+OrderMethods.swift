import ChatPanelProto
import ChatPanelRPC

extension OrdersService {
    /// CreateOrder, GetOrder, ListOrders, SaveOrderItems, SaveOrderDelivery, SaveOrderPayments,
    /// SaveOrderFields, ChangeOrderStatus, SaveOrderBonuses, DeleteOrder, GetLoyaltyAccount,
    /// GetOrderSettings, SearchOrderFields, PinOrderField, CreatePaymentLink, VerifyPaymentLink:
    /// no right beyond being a manager (a
    /// manager in the dialog makes and edits the client's orders). Each save is checked here for
    /// its own fields, then by the store against the order (references, totals, the status's
    /// required fields), and answers the whole order.
    static func registerOrderMethods(
        on router: inout RPCRouter, store: OrdersStore, settings: OrdersConfiguration, encodedSettings: EncodedOrderSettings
    ) {
        router.register(OrdersV1.Orders.createOrder) { request, context in
            let manager = try context.managerID(for: "creating an order")
            var request = request
            try request.validate()
            return try await store.createOrder(request, by: manager, settings: settings, requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.getOrder) { request, _ in
            var violations = FieldViolations()
            violations.checkID(request.orderID, field: "order_id")
            try violations.throwIfAny()
            guard let order = try await store.order(id: request.orderID, settings: settings) else {
                throw RPCError.notFound("order \(request.orderID) does not exist")
            }
            var response = OrdersV1.OrderResponse()
            response.order = order
            return response
        }
        // Answered as the response's view (the same message on the wire): the orders as stored.
        let listOrders = UnaryMethod<OrdersV1.ListOrdersRequest, OrdersV1.ListOrdersResponseView>(path: OrdersV1.Orders.listOrders.path)
        router.register(listOrders) { request, context in
            try await store.listOrders(
                try request.validated(), managerID: context.caller.managerID, settings: settings, encodedSettings: encodedSettings)
        }
        router.register(OrdersV1.Orders.saveOrderItems) { request, context in
            _ = try context.managerID(for: "editing an order")
            var violations = FieldViolations()
            violations.checkOrderUpdate(orderID: request.orderID, version: request.version)
            violations.checkItems(request.items)
            violations.checkDiscount(request.discount)
            try violations.throwIfAny()
            return try await store.saveOrderItems(request, settings: settings, requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.saveOrderDelivery) { request, context in
            _ = try context.managerID(for: "editing an order")
            var violations = FieldViolations()
            var request = request
            violations.checkOrderUpdate(orderID: request.orderID, version: request.version)
            violations.cleanDelivery(&request.delivery, path: "delivery")
            try violations.throwIfAny()
            return try await store.saveOrderDelivery(request, settings: settings, requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.saveOrderPayments) { request, context in
            _ = try context.managerID(for: "editing an order")
            var violations = FieldViolations()
            violations.checkOrderUpdate(orderID: request.orderID, version: request.version)
            violations.checkPayments(request.payments, types: settings.paymentTypes)
            try violations.throwIfAny()
            return try await store.saveOrderPayments(request, settings: settings, requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.saveOrderFields) { request, context in
            _ = try context.managerID(for: "editing an order")
            var violations = FieldViolations()
            violations.checkOrderUpdate(orderID: request.orderID, version: request.version)
            var request = request
            violations.cleanContact(&request.contact)
            violations.checkMainFields(
                shop: request.shop, orderType: request.orderType, orderMethod: request.orderMethod, country: request.country)
            violations.check(request.managerID >= 0, field: "manager_id", "must not be negative")
            violations.check(request.customFields.count <= 100, field: "custom_fields", "at most 100")
            try violations.throwIfAny()
            return try await store.saveOrderFields(request, settings: settings, requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.changeOrderStatus) { request, context in
            _ = try context.managerID(for: "changing an order's status")
            var violations = FieldViolations()
            violations.checkOrderUpdate(orderID: request.orderID, version: request.version)
            violations.check(
                settings.status(request.status) != nil, field: "status",
                request.status.isEmpty ? "is required" : "no status has code \(request.status)")
            try violations.throwIfAny()
            return try await store.changeOrderStatus(request, settings: settings, requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.saveOrderBonuses) { request, context in
            _ = try context.managerID(for: "editing an order")
            var violations = FieldViolations()
            violations.checkOrderUpdate(orderID: request.orderID, version: request.version)
            violations.check(request.bonuses >= 0, field: "bonuses", "must not be negative")
            try violations.throwIfAny()
            return try await store.saveOrderBonuses(request, settings: settings, requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.deleteOrder) { request, context in
            _ = try context.managerID(for: "deleting an order")
            var violations = FieldViolations()
            violations.checkOrderUpdate(orderID: request.orderID, version: request.version)
            try violations.throwIfAny()
            return try await store.deleteOrder(
                id: request.orderID, version: request.version, settings: settings, requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.getLoyaltyAccount) { request, _ in
            var violations = FieldViolations()
            violations.checkID(request.clientID, field: "client_id")
            try violations.throwIfAny()
            var response = OrdersV1.GetLoyaltyAccountResponse()
            response.account = try await store.loyaltyAccount(clientID: request.clientID, settings: settings)
            return response
        }
        router.register(OrdersV1.Orders.getOrderSettings) { _, context in
            try await store.orderSettings(managerID: context.caller.managerID, settings: settings)
        }
        router.register(OrdersV1.Orders.searchOrderFields) { request, context in
            var violations = FieldViolations()
            violations.checkText(request.query, field: "query", required: false, maximum: 100)
            violations.check(request.limit <= 100, field: "limit", "must be at most 100")
            try violations.throwIfAny()
            return try await store.searchOrderFields(
                query: request.query, limit: request.limit == 0 ? 20 : Int(request.limit), managerID: context.caller.managerID,
                settings: settings)
        }
        router.register(OrdersV1.Orders.pinOrderField) { request, context in
            let manager = try context.managerID(for: "pinning an order field")
            return try await store.pinOrderField(
                code: request.code, pinned: request.pinned, managerID: manager, settings: settings, requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.createPaymentLink) { request, context in
            _ = try context.managerID(for: "making a payment link")
            var violations = FieldViolations()
            violations.checkID(request.orderID, field: "order_id")
            violations.checkID(request.paymentID, field: "payment_id")
            try violations.throwIfAny()
            return try await store.paymentLink(orderID: request.orderID, paymentID: request.paymentID, settings: settings)
        }
        router.register(OrdersV1.Orders.verifyPaymentLink) { request, _ in
            var violations = FieldViolations()
            violations.checkText(request.url, field: "url", required: true, maximum: 2000)
            try violations.throwIfAny()
            return try await store.verifyPaymentLink(request.url, settings: settings)
        }
    }
}
