import ChatPanelProto
import Foundation

/// Where a page of the picker ended: the sort, the last product's sort key and its id. The
/// next page starts strictly after it, so products written meanwhile never repeat or skip
/// the ones already listed.
struct ProductCursor: Sendable, Hashable {
    /// The fingerprint of the search the page belongs to (``ProductSearch/fingerprint``): a
    /// token goes on only the search it came from.
    var search: UInt64
    /// The sort the page was read in.
    var sort: OrdersV1.ProductSort
    /// The last product's name key (name sorts) or price key (price sorts).
    var nameKey: String
    var priceKey: Int64
    /// The last product's id.
    var productID: Int64

    private static let kind = "p2"

    /// A cursor after a product.
    init(search: UInt64, sort: OrdersV1.ProductSort, nameKey: String, priceKey: Int64, productID: Int64) {
        self.search = search
        self.sort = sort
        self.nameKey = nameKey
        self.priceKey = priceKey
        self.productID = productID
    }

    /// The cursor a page token stands for; nil when the token is not one of ours.
    init?(token: String) {
        guard token.utf8.count <= 2048 else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == Self.kind, let search = UInt64(parts[1], radix: 16), let sort = Int32(parts[2]),
            (0...3).contains(sort), let priceKey = Int64(parts[3]), let id = Int64(parts[4])
        else { return nil }
        self.init(
            search: search, sort: OrdersV1.ProductSort(rawValue: sort), nameKey: String(parts[5]), priceKey: priceKey, productID: id)
    }

    /// The opaque page token.
    var token: String {
        let text = "\(Self.kind):\(String(search, radix: 16)):\(sort.rawValue):\(priceKey):\(productID):\(nameKey)"
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
