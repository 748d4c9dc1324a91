import ChatPanelProto
import ChatPanelRPC

/// What is wrong with an order about to be saved: violations by field path
/// (`items[2].discount_minor`, `delivery.date`) and errors of the order as a whole (ORDER-10).
struct OrderCheck {
    /// The per-field violations.
    var fields = FieldViolations()
    /// The order-wide errors.
    var orderErrors: [String] = []

    /// Whether nothing is wrong.
    var isEmpty: Bool { fields.isEmpty && orderErrors.isEmpty }

    /// Throws INVALID_ARGUMENT with the per-field violations and the order-wide errors as
    /// ``ChatPanelProto/OrdersV1/OrderErrors`` details, when anything is wrong.
    func throwIfAny() throws(RPCError) {
        guard !isEmpty else { return }
        var details = OrdersV1.OrderErrors()
        details.orderErrors = orderErrors
        let summary = (fields.all.map { "\($0.field): \($0.description)" } + orderErrors).joined(separator: "; ")
        throw RPCError(
            code: .invalidArgument, message: "the order was not saved: \(summary)", violations: fields.all,
            details: (try? details.serializedBytes()) ?? [])
    }
}

/// The computed parts of an order: its lines' amounts, totals and payment state, from its
/// prices, quantities, discounts, delivery cost and payments; and the checks of the whole order.
enum OrderCalculation {
    /// Recomputes every amount of `order` (its items' money, totals, payment state), checking
    /// what only the whole order shows: line discounts within their lines, the order discount
    /// within the goods, payments not above the total; and, when `status` is given, the fields
    /// it requires. A delivery that asks for the rules gets its cost from the configured rules;
    /// the loyalty level's discount and the bonuses spent (``OrdersV1/OrderLoyalty``, set by the
    /// store) are applied, the bonuses capped at the configured share, and what the order earns
    /// is computed.
    static func reprice(
        _ order: inout OrdersV1.Order, requiring status: OrdersConfiguration.Status?, settings: OrdersConfiguration,
        into check: inout OrderCheck
    ) {
        let currency = order.currency
        let lines = order.items.map {
            OrderPricing.Line(price: $0.price?.amountMinor ?? 0, quantity: $0.quantity, discount: $0.discount?.amountMinor ?? 0)
        }
        let discount: OrderPricing.Discount =
            if let given = order.discount, given.amountMinor > 0 {
                .amount(given.amountMinor)
            } else if let given = order.discount, given.percentHundredths > 0 {
                .percent(hundredths: Int64(given.percentHundredths))
            } else {
                .none
            }
        let pricing: OrderPricing
        do {
            pricing = try OrderPricing(
                lines: lines, levelHundredths: Int64(order.loyalty?.discountHundredths ?? 0), discount: discount)
        } catch {
            switch error {
            case .tooLarge:
                check.orderErrors.append(
                    "the goods add up to more than \(Currency.format(OrderPricing.maximumAmount, currency)), the most an order may hold")
            case .lineDiscountAboveLine(let index):
                check.fields.add(field: "items[\(index)].discount_minor", "must not be above the line's price × quantity")
            case .discountAboveGoods(let base):
                check.fields.add(field: "discount.amount_minor", "must not be above the goods after the items' discounts (\(base))")
            }
            return
        }
        var weight: Int64? = 0
        for index in order.items.indices {
            let share = pricing.shares[index]
            let level = pricing.levelShares[index]
            let own = lines[index].discount
            order.items[index].orderDiscount = Currency.money(share, currency)
            order.items[index].levelDiscount = Currency.money(level, currency)
            order.items[index].discount = Currency.money(own, currency)
            order.items[index].total = Currency.money(pricing.lineGoods[index] - own - level - share, currency)
            weight = weight.flatMap { order.items[index].weight.flatMap($0.addingOrNil) }
        }
        guard let weight else {
            // Only products stored before the weight limit can weigh this much.
            check.orderErrors.append("the items weigh more than can be counted: correct the products' weights")
            return
        }
        let discounts = pricing.itemDiscounts + pricing.levelDiscount + pricing.orderDiscount
        let sum = pricing.goods - discounts
        var shipping = order.delivery ?? OrdersV1.Delivery()
        if shipping.costByRules {
            if let rules = settings.deliveryRules {
                switch DeliveryCost.compute(rules, sum: sum, weightGrams: weight, region: shipping.region, currency: currency) {
                case .success(let made):
                    shipping.costMinor = made.cost
                    shipping.costDetails = made.details
                case .failure(let failure):
                    check.fields.add(field: "delivery.cost_by_rules", failure.description)
                }
            } else {
                check.fields.add(field: "delivery.cost_by_rules", "no delivery cost rules are configured: type the cost")
            }
        } else {
            shipping.costDetails = shipping.costMinor == 0 ? "" : "typed"
        }
        order.delivery = shipping
        let delivery = shipping.costMinor
        let bonuses = order.loyalty?.bonusesSpent ?? 0
        if bonuses > 0 {
            let cap = OrderPricing.share(settings.loyalty?.maxSpendShareHundredths ?? 0, of: sum)
            check.fields.check(
                bonuses <= cap, field: "bonuses", "at most \(cap) on this order (the programme's share of its total less delivery)")
        }
        if var loyalty = order.loyalty, !loyalty.credited {
            loyalty.bonusesEarned = OrderPricing.share(Int64(loyalty.bonusRateHundredths), of: max(sum - bonuses, 0))
            order.loyalty = loyalty
        }
        let total = sum - bonuses + delivery
        var paid: Int64 = 0
        var promised: Int64 = 0
        for index in order.payments.indices {
            let payment = order.payments[index]
            order.payments[index].amount = Currency.money(payment.amountMinor, currency)
            if payment.status == .paid { paid += payment.amountMinor }
            if payment.status != .cancelled { promised += payment.amountMinor }
        }
        // Against a total made of refused fields (bonuses above the cap) this would mislead.
        if promised > total && check.fields.isEmpty {
            check.orderErrors.append(
                "the payments add up to \(Currency.format(promised, currency)), more than the order's total \(Currency.format(total, currency))"
            )
        }
        var totals = OrdersV1.OrderTotals()
        totals.goods = Currency.money(pricing.goods, currency)
        totals.itemDiscounts = Currency.money(pricing.itemDiscounts, currency)
        totals.orderDiscount = Currency.money(pricing.orderDiscount, currency)
        totals.levelDiscount = Currency.money(pricing.levelDiscount, currency)
        totals.totalDiscounts = Currency.money(discounts, currency)
        totals.bonusesSpent = Currency.money(bonuses, currency)
        totals.delivery = Currency.money(delivery, currency)
        totals.total = Currency.money(total, currency)
        totals.paid = Currency.money(paid, currency)
        totals.due = Currency.money(max(total - paid, 0), currency)
        totals.weightGrams = weight
        order.totals = totals
        order.paymentState =
            if paid > 0 && paid >= total {
                .paid
            } else if paid == 0 && total == 0 && !order.items.isEmpty {
                .paid
            } else if paid > 0 {
                .partlyPaid
            } else {
                .unpaid
            }
        if let status { requireFields(of: status, in: order, into: &check) }
    }

    /// Adds a violation for every field `status` requires that `order` leaves empty.
    static func requireFields(of status: OrdersConfiguration.Status, in order: OrdersV1.Order, into check: inout OrderCheck) {
        let contact = order.contact ?? OrdersV1.OrderContact()
        let delivery = order.delivery ?? OrdersV1.Delivery()
        for field in status.requiredFields {
            let filled: Bool =
                switch field {
                case "items": !order.items.isEmpty
                case "payments": order.payments.contains { $0.status != .cancelled }
                case "contact.first_name": !contact.firstName.isEmpty
                case "contact.last_name": !contact.lastName.isEmpty
                case "contact.phone": !contact.phone.isEmpty
                case "contact.email": !contact.email.isEmpty
                case "delivery.type": !delivery.type.isEmpty
                case "delivery.service": !delivery.service.isEmpty
                case "delivery.region": !delivery.region.isEmpty
                case "delivery.city": !delivery.city.isEmpty
                case "delivery.street": !delivery.street.isEmpty
                case "delivery.postal_code": !delivery.postalCode.isEmpty
                case "delivery.date": !delivery.date.isEmpty
                case "delivery.time_slot": !delivery.timeSlot.isEmpty
                case "shop": !order.shop.isEmpty
                case "order_type": !order.orderType.isEmpty
                case "order_method": !order.orderMethod.isEmpty
                case "country": !order.country.isEmpty
                default: true
                }
            if !filled { check.fields.add(field: field, "is required in status \(status.name) (\(status.code))") }
        }
    }
}

extension OrdersV1.OrderItem {
    /// Weight × quantity in grams, or nil when it does not fit in 64 bits (only products
    /// stored before the weight limit weigh that much).
    var weight: Int64? {
        let (product, overflow) = weightGrams.multipliedReportingOverflow(by: quantity)
        return overflow ? nil : product
    }
}

extension Int64 {
    /// The sum, or nil when it overflows.
    fileprivate func addingOrNil(_ other: Int64) -> Int64? {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? nil : sum
    }
}
