/// An order's arithmetic in integer minor units (ORDER-5): goods, the items' own discounts, the
/// one-time order discount spread over the items so that the parts add up exactly, delivery,
/// total, paid and due.
///
/// Products of two amounts are taken in 128 bits, so no intermediate overflows; an order whose
/// goods exceed ``maximumAmount`` is refused before any of it is used.
struct OrderPricing {
    /// The largest sum of an order's goods, minor units (10^15: ten trillion roubles).
    static let maximumAmount: Int64 = 1_000_000_000_000_000

    /// A line as priced: unit price, quantity, the line's own discount.
    struct Line {
        var price: Int64
        var quantity: Int64
        var discount: Int64
    }

    /// The one-time discount: money, or hundredths of a percent.
    enum Discount {
        case none
        case amount(Int64)
        case percent(hundredths: Int64)
    }

    /// Σ price × quantity.
    var goods: Int64 = 0
    /// Σ the lines' own discounts.
    var itemDiscounts: Int64 = 0
    /// The loyalty level's discount in money.
    var levelDiscount: Int64 = 0
    /// Each line's share of the level discount (Σ = levelDiscount).
    var levelShares: [Int64] = []
    /// The order discount in money.
    var orderDiscount: Int64 = 0
    /// Each line's share of the order discount (Σ = orderDiscount).
    var shares: [Int64] = []
    /// Each line's price × quantity.
    var lineGoods: [Int64] = []

    /// What went wrong, when the amounts cannot be priced.
    enum Failure: Error, Equatable {
        /// The goods add up to more than ``maximumAmount``.
        case tooLarge
        /// A line's discount is above its price × quantity (the line's index).
        case lineDiscountAboveLine(Int)
        /// The money discount is above the goods after the lines' discounts (that base).
        case discountAboveGoods(base: Int64)
    }

    /// Prices `lines` with the level's discount (hundredths of a percent of the goods after the
    /// lines' own discounts), then `discount` on what is left.
    init(lines: [Line], levelHundredths: Int64 = 0, discount: Discount) throws(Failure) {
        var goods: Int64 = 0
        for line in lines {
            let (product, overflow) = line.price.multipliedReportingOverflow(by: line.quantity)
            guard !overflow, product <= Self.maximumAmount else { throw .tooLarge }
            lineGoods.append(product)
            goods += product
            guard goods <= Self.maximumAmount else { throw .tooLarge }
        }
        var nets: [Int64] = []
        for (index, line) in lines.enumerated() {
            guard line.discount <= lineGoods[index] else { throw .lineDiscountAboveLine(index) }
            itemDiscounts += line.discount
            nets.append(lineGoods[index] - line.discount)
        }
        self.goods = goods
        levelDiscount = Self.percent(levelHundredths, of: goods - itemDiscounts)
        levelShares = Self.spread(levelDiscount, over: nets)
        for index in nets.indices { nets[index] -= levelShares[index] }
        let base = goods - itemDiscounts - levelDiscount
        switch discount {
        case .none: orderDiscount = 0
        case .amount(let amount):
            guard amount <= base else { throw .discountAboveGoods(base: base) }
            orderDiscount = amount
        case .percent(let hundredths):
            orderDiscount = Self.percent(hundredths, of: base)
        }
        shares = Self.spread(orderDiscount, over: nets)
    }

    /// round(base × hundredths / 10 000), halves up (the product taken in 128 bits).
    static func percent(_ hundredths: Int64, of base: Int64) -> Int64 {
        guard hundredths > 0, base > 0 else { return 0 }
        let (quotient, remainder) = Int64(10_000).dividingFullWidth(base.multipliedFullWidth(by: hundredths))
        return quotient + (remainder >= 5_000 ? 1 : 0)
    }

    /// ⌊base × hundredths / 10 000⌋ (the product taken in 128 bits).
    static func share(_ hundredths: Int64, of base: Int64) -> Int64 {
        guard hundredths > 0, base > 0 else { return 0 }
        return Int64(10_000).dividingFullWidth(base.multipliedFullWidth(by: hundredths)).quotient
    }

    /// `amount` split over `weights` in proportion, each share rounded down, then the units
    /// left given one each to the lines with the largest remainders (the earlier line on a
    /// tie). Σ shares = amount, and no share exceeds its weight when amount ≤ Σ weights.
    static func spread(_ amount: Int64, over weights: [Int64]) -> [Int64] {
        let total = weights.reduce(0, +)
        guard amount > 0, total > 0 else { return weights.map { _ in 0 } }
        var shares: [Int64] = []
        var remainders: [(index: Int, remainder: Int64)] = []
        for (index, weight) in weights.enumerated() {
            let (quotient, remainder) = total.dividingFullWidth(amount.multipliedFullWidth(by: weight))
            shares.append(quotient)
            remainders.append((index, remainder))
        }
        var left = amount - shares.reduce(0, +)
        remainders.sort { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }
        for entry in remainders where left > 0 {
            shares[entry.index] += 1
            left -= 1
        }
        return shares
    }
}
