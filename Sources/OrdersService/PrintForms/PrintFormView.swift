import ChatPanelProto

/// What a printed form's template sees of an order: texts ready to print (amounts formatted in
/// the order's currency). Every text key also has `has_<key>`, true when it is not empty, so
/// `{{#has_phone}}…{{/has_phone}}` prints only when there is a phone.
///
/// Keys: number, date (YYYY-MM-DD, UTC), status, customer, phone, email, currency, items
/// (position, name, article, quantity, price, discount, total, weight), item_count, goods,
/// discounts, bonuses, delivery_cost, total, paid, due, weight, delivery_type,
/// delivery_service, address, delivery_date, time_slot, shop, custom fields by their code.
enum PrintFormView {
    /// The view of `order`.
    static func make(_ order: OrdersV1.Order) -> [String: Any] {
        let contact = order.contact ?? OrdersV1.OrderContact()
        let delivery = order.delivery ?? OrdersV1.Delivery()
        let totals = order.totals ?? OrdersV1.OrderTotals()
        var view: [String: Any] = [:]
        func put(_ key: String, _ value: String) {
            view[key] = value
            view["has_" + key] = !value.isEmpty
        }
        put("number", order.number)
        put("date", CalendarDate(utcMilliseconds: order.createdAtMs).text)
        put("status", order.status?.name ?? "")
        put("customer", [contact.lastName, contact.firstName].filter { !$0.isEmpty }.joined(separator: " "))
        put("phone", contact.phone)
        put("email", contact.email)
        put("currency", order.currency)
        view["items"] = order.items.enumerated().map { index, item -> [String: Any] in
            let discounts = [item.discount, item.levelDiscount, item.orderDiscount].reduce(Int64(0)) { $0 + ($1?.amountMinor ?? 0) }
            return [
                "position": index + 1, "name": item.name, "article": item.article, "quantity": item.quantity,
                "price": item.price?.text ?? "", "discount": Currency.format(discounts, order.currency), "total": item.total?.text ?? "",
                "weight": item.weight.map { $0 as Any } ?? "",
            ]
        }
        view["item_count"] = order.items.reduce(Int64(0)) { $0 + $1.quantity }
        put("goods", totals.goods?.text ?? "")
        put("discounts", totals.totalDiscounts?.text ?? "")
        put("bonuses", (totals.bonusesSpent?.amountMinor ?? 0) > 0 ? totals.bonusesSpent?.text ?? "" : "")
        put("delivery_cost", totals.delivery?.text ?? "")
        put("total", totals.total?.text ?? "")
        put("paid", totals.paid?.text ?? "")
        put("due", totals.due?.text ?? "")
        view["weight"] = totals.weightGrams
        put("delivery_type", delivery.type)
        put("delivery_service", delivery.service)
        put(
            "address",
            [delivery.postalCode, delivery.region, delivery.city, delivery.street].filter { !$0.isEmpty }.joined(separator: ", "))
        put("delivery_date", delivery.date)
        put("time_slot", delivery.timeSlot)
        put("shop", order.shop)
        for field in order.customFields { put(field.code, field.displayValue) }
        return view
    }
}
