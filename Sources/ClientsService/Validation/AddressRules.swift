public import ChatPanelRPC

/// The linking rules of CLIENT-7, as one pure function.
///
/// - Postal code, city, country, region and metro can always be set and never change the
///   free text; editing the free text never changes them.
/// - Street, house, flat, building, entrance, floor and block need a split address (split now,
///   or split by the same change).
/// - The free text can only be set on an unsplit address (a split address shows its parts).
/// - Splitting keeps the five parts (the free text is no longer shown); unsplitting keeps the
///   five parts, clears the others, and makes the free text the composed address unless the
///   change gives one.
public enum AddressRules {
    /// `current` with `changes` applied, or `INVALID_ARGUMENT` naming each offending field as
    /// `fieldPrefix` + the proto field name (like `address.street`).
    public static func apply(_ changes: AddressChanges, to current: ClientAddress, fieldPrefix: String) throws(RPCError) -> ClientAddress {
        var violations = FieldViolations()
        var next = current
        let willBeSplit = changes.split ?? current.split
        if let split = changes.split, split != current.split {
            if split {
                next.split = true
            } else {
                next.freeText = current.composedText
                for part in AddressPart.splitOnly { next[part] = "" }
                next.split = false
            }
        }
        if let text = changes.freeText {
            if willBeSplit {
                violations.add(field: fieldPrefix + "text", "a split address is edited by its parts; unsplit it to set a free text")
            } else {
                next.freeText = text
            }
        }
        for part in AddressPart.allCases {
            guard let value = changes.parts[part] else { continue }
            if !part.existsUnsplit, !willBeSplit {
                violations.add(field: fieldPrefix + part.rawValue, "only a split address has a \(part.rawValue); set split first")
                continue
            }
            next[part] = value
        }
        try violations.throwIfAny()
        return next
    }
}
