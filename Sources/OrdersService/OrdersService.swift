public import ChatPanelRPC
public import ChatPanelRuntime
public import Logging

/// The orders process's RPC service, `chatpanel.orders.v1.Orders`: the product catalog and
/// the picker (PRODUCT-1, PRODUCT-5), the dialog's product list and product cards
/// (PRODUCT-2..4), the client's current cart (CART-1, CART-2), the client's orders and their
/// draft (ORDER-1..11), and moving lists, carts and orders to a client when a contact is saved
/// or clients are merged.
///
/// Each handler checks the caller's rights, then validates the request (INVALID_ARGUMENT
/// naming every bad field), and calls one ``OrdersStore`` method. `chatpaneld orders` and the
/// tests run it through `ServiceHost`:
///
/// ```swift
/// let host = try ServiceHost<OrdersService>(configuration: OrdersConfiguration(), stateDirectory: stateDirectory, logger: logger)
/// ```
public struct OrdersService: ChatPanelService {
    /// The process's name: its socket, state folder and database are named after it.
    public static let name = "orders"

    /// The service's database.
    public let store: OrdersStore

    /// The orders' currency, statuses and payment types.
    public let settings: OrdersConfiguration

    /// The settings' part every Order widget carries, encoded once.
    let encodedSettings: EncodedOrderSettings

    /// Renders printed forms (ORDER-12).
    let printForms: PrintFormRenderer

    /// The service over its store.
    public init(store: OrdersStore, configuration: OrdersConfiguration = OrdersConfiguration(), logger: Logger) {
        self.store = store
        self.settings = configuration
        self.encodedSettings = EncodedOrderSettings(configuration)
        self.printForms = PrintFormRenderer(configuration.printForms)
    }

    /// The routes of every method of `chatpanel.orders.v1.Orders`.
    public func makeRouter() -> RPCRouter {
        var router = RPCRouter()
        Self.registerCatalogMethods(on: &router, store: store)
        Self.registerProductListMethods(on: &router, store: store, settings: settings)
        Self.registerCartMethods(on: &router, store: store, settings: settings, encodedSettings: encodedSettings)
        Self.registerOrderMethods(on: &router, store: store, settings: settings, encodedSettings: encodedSettings)
        Self.registerPrintedFormMethods(on: &router, store: store, settings: settings, renderer: printForms)
        return router
    }
}
