import ChatPanelStore
import OrdersService
import Testing

/// Shipped migrations are frozen: each one's SQL is pinned by its fingerprint, so editing a
/// shipped migration fails here (add a new migration instead, and its line below).
@Suite struct MigrationTests {
    @Test func shippedMigrationsAreUnchanged() {
        #expect(
            OrdersStore.migrations.manifest == [
                "orders.0001.catalog a424bb322e2ed030",
                "orders.0002.product-lists 2aea26694d85bfe5",
                "orders.0003.carts 6aff9e575e1085f0",
                "orders.0004.owner-moves ed5bfc8576bdb657",
                "orders.0005.orders e0dd053e48d9a761",
                "orders.0006.loyalty 6e8cb951384f2a02",
                "orders.0007.order-field-pins 51a63601a5d3f309",
                "orders.0008.price-type-version 12c1022fe616e290",
                "orders.0009.withdrawn-grants 1dd81d038d8537ab",
            ])
    }
}
