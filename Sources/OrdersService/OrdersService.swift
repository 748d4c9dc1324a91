public import ChatPanelRPC
public import ChatPanelRuntime
public import Logging

/// The orders process's RPC service, `chatpanel.orders.v1.Orders`, part 1: the product catalog
/// and the picker (PRODUCT-1, PRODUCT-5), the dialog's product list and product cards
/// (PRODUCT-2..4), the client's current cart (CART-1, CART-2), and moving lists and carts to a
/// client when a contact is saved or clients are merged.
///
/// Each handler checks the caller's rights, then validates the request (INVALID_ARGUMENT
/// naming every bad field), and calls one ``OrdersStore`` method. `chatpaneld orders` and the
/// tests run it through `ServiceHost`:
///
/// ```swift
/// let host = try ServiceHost<OrdersService>(configuration: (), stateDirectory: stateDirectory, logger: logger)
/// ```
public struct OrdersService: ChatPanelService {
    /// The process's name: its socket, state folder and database are named after it.
    public static let name = "orders"

    /// The service's database.
    public let store: OrdersStore

    /// The service over its store; it takes no configuration.
    public init(store: OrdersStore, configuration: Void = (), logger: Logger) {
        self.store = store
    }

    /// The routes of every method of `chatpanel.orders.v1.Orders`.
    public func makeRouter() -> RPCRouter {
        var router = RPCRouter()
        Self.registerCatalogMethods(on: &router, store: store)
        Self.registerProductListMethods(on: &router, store: store)
        Self.registerCartMethods(on: &router, store: store)
        return router
    }
}
