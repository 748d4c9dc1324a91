/// Where a page of a client's orders ended: the last order's creation time and id. The next
/// page starts strictly after it (newest first), so orders created meanwhile never repeat or
/// skip the ones already listed.
struct OrderCursor: Sendable, Hashable {
    /// The last order's creation time, UTC ms.
    var createdAt: Int64
    /// The last order's id.
    var orderID: Int64

    private static let kind = "o1"

    /// A cursor after an order.
    init(createdAt: Int64, orderID: Int64) {
        self.createdAt = createdAt
        self.orderID = orderID
    }

    /// The cursor a page token stands for; nil when the token is not one of ours.
    init?(token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 64, parts.count == 3, parts[0] == Self.kind, let createdAt = Int64(parts[1]),
            let id = Int64(parts[2]), id > 0
        else { return nil }
        self.init(createdAt: createdAt, orderID: id)
    }

    /// The opaque page token.
    var token: String { "\(Self.kind).\(createdAt).\(orderID)" }
}

/// A page of a client's orders as asked for.
struct OrderPage: Sendable {
    var clientID: Int64
    var size: Int
    var after: OrderCursor?
}
