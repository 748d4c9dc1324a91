import ChatPanelProto
@testable import Gateway
import Testing

/// A new order's address taken from the client's card: nothing of a split address lost, a
/// long one cut where it shows, a postal code an order cannot hold left out.
@Suite("Gateway: an order's address from the client's card")
struct OrderAddressPrefillTests {
    private typealias Binding = RequestBinding<OrdersV1.CreateOrderRequest>

    @Test func aSplitAddressKeepsItsHouseBlockBuildingAndFlat() {
        var given = ClientsV1.Address()
        given.split = true
        given.postalCode = "125009"
        given.region = "Москва"
        given.city = "Москва"
        given.street = "Тверская ул."
        given.house = "7"
        given.block = "2"
        given.flat = "15"
        let address = Binding.orderAddress(given)
        #expect(address.street == "Тверская ул., д. 7, корп. 2, кв. 15")
        #expect(address.postalCode == "125009" && address.city == "Москва" && address.region == "Москва")
    }

    @Test func aLongUnsplitAddressIsCutWhereItShowsAndALongPostalCodeLeftOut() {
        var given = ClientsV1.Address()
        given.text = String(repeating: "Очень длинный адрес ", count: 30)
        given.postalCode = String(repeating: "1", count: 30)
        let address = Binding.orderAddress(given)
        #expect(address.street.count <= 255 && address.street.hasSuffix("…") && address.street.hasPrefix("Очень длинный адрес"))
        #expect(!address.street.dropLast().hasSuffix(" "))
        #expect(address.postalCode.isEmpty)
        given.text = "ул. Ленина, 1"
        #expect(Binding.orderAddress(given).street == "ул. Ленина, 1")
    }
}
