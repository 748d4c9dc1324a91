/// A delivery's cost by the configured rules (ORDER-7): free from a sum, else the weight band's
/// cost plus the region's extra.
enum DeliveryCost {
    /// The cost and how it was made, or why the rules give none.
    static func compute(
        _ rules: OrdersConfiguration.DeliveryRules, sum: Int64, weightGrams: Int64, region: String, currency: String
    ) -> Result<(cost: Int64, details: String), Failure> {
        if let free = rules.freeFromMinor, sum >= free {
            return .success((0, "free from \(Currency.format(free, currency))"))
        }
        var cost: Int64
        var details: String
        if let band = rules.weightBands.first(where: { weightGrams <= $0.upToGrams }) {
            cost = band.costMinor
            details = "up to \(band.upToGrams) g: \(Currency.format(band.costMinor, currency))"
        } else if let over = rules.overWeightCostMinor {
            cost = over
            details = "above \(rules.weightBands.last?.upToGrams ?? 0) g: \(Currency.format(over, currency))"
        } else {
            return .failure(Failure(description: "the order weighs \(weightGrams) g, above every weight band: type the cost"))
        }
        let key = region.lowercased()
        if !key.isEmpty, let extra = rules.regions.first(where: { $0.region.lowercased() == key }), extra.extraMinor != 0 {
            cost += extra.extraMinor
            details += ", region \(extra.region): +\(Currency.format(extra.extraMinor, currency))"
        }
        return .success((cost, details))
    }

    /// Why the rules give no cost.
    struct Failure: Error {
        let description: String
    }
}
