public import ChatPanelRPC

/// The orders process's RPC service, `chatpanel.orders.v1.Orders`, part 1: the product catalog
/// and the picker (PRODUCT-1, PRODUCT-5), the dialog's product list and product cards
/// (PRODUCT-2..4), the client's current cart (CART-1, CART-2), and moving lists and carts to a
/// client when a contact is saved or clients are merged.
///
/// Each handler checks the caller's rights, validates the request (INVALID_ARGUMENT naming
/// every bad field), and calls one ``OrdersStore`` method:
///
/// ```swift
/// let store = try OrdersStore(path: "\(stateDirectory)/orders.sqlite")
/// let router = OrdersService.makeRouter(store: store)
/// try await ChatPanelProcess.run(configuration: configuration, router: router,
///     health: OrdersService.makeHealthReporter(store: store), environment: environment, logger: logger)
/// ```
public enum OrdersService {
    /// The routes of every method of `chatpanel.orders.v1.Orders`.
    public static func makeRouter(store: OrdersStore) -> RPCRouter {
        var router = RPCRouter()
        registerCatalogMethods(on: &router, store: store)
        registerProductListMethods(on: &router, store: store)
        registerCartMethods(on: &router, store: store)
        return router
    }

    /// The process's health: SERVING while the database answers.
    public static func makeHealthReporter(store: OrdersStore) -> HealthReporter {
        HealthReporter(process: "orders") { [await store.health()] }
    }
}
