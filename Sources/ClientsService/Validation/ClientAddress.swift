/// The parts a split address has (CLIENT-7). Raw values are the column and proto field names.
public enum AddressPart: String, Sendable, Hashable, CaseIterable {
    /// Postal code.
    case postalCode = "postal_code"
    /// City.
    case city
    /// Country.
    case country
    /// Region.
    case region
    /// Metro station.
    case metro
    /// Street.
    case street
    /// House number.
    case house
    /// Flat.
    case flat
    /// Building ("строение").
    case building
    /// Entrance ("подъезд").
    case entrance
    /// Floor.
    case floor
    /// Block ("корпус").
    case block

    /// Postal code, city, country, region and metro exist before the address is split.
    public var existsUnsplit: Bool {
        switch self {
        case .postalCode, .city, .country, .region, .metro: true
        default: false
        }
    }

    /// The parts only a split address has.
    public static let splitOnly: [AddressPart] = allCases.filter { !$0.existsUnsplit }
}

/// A client's address as stored: free text, or split into parts (CLIENT-7).
public struct ClientAddress: Sendable, Hashable {
    /// Split into parts.
    public var split: Bool = false
    /// The free text of an unsplit address (kept as typed; not linked to the parts).
    public var freeText: String = ""
    /// Every part's value ("" when empty), by the part's position in `AddressPart.allCases`
    /// (read for every card: no hashing of part names).
    private var values = [String](repeating: "", count: AddressPart.allCases.count)

    /// An empty, unsplit address.
    public init() {}

    /// The value of one part.
    public subscript(part: AddressPart) -> String {
        get { values[part.position] }
        set { values[part.position] = newValue }
    }

    /// What the panel shows: the free text when unsplit, else the parts composed in postal
    /// order ("123456, Россия, Москва, ул. Ленина, д. 5, кв. 12").
    public var displayText: String {
        split ? composedText : freeText
    }

    /// The parts composed into one line.
    public var composedText: String {
        let labelled: [(AddressPart, String)] = [
            (.postalCode, ""), (.country, ""), (.region, ""), (.city, ""), (.street, ""), (.house, "д. "),
            (.block, "корп. "), (.building, "стр. "), (.entrance, "подъезд "), (.floor, "этаж "), (.flat, "кв. "), (.metro, "м. "),
        ]
        return labelled.compactMap { part, label in self[part].isEmpty ? nil : label + self[part] }.joined(separator: ", ")
    }

    /// No text and no parts.
    public var isEmpty: Bool {
        freeText.isEmpty && AddressPart.allCases.allSatisfy { self[$0].isEmpty }
    }
}

extension AddressPart {
    /// The part's position in `allCases`.
    var position: Int {
        switch self {
        case .postalCode: 0
        case .city: 1
        case .country: 2
        case .region: 3
        case .metro: 4
        case .street: 5
        case .house: 6
        case .flat: 7
        case .building: 8
        case .entrance: 9
        case .floor: 10
        case .block: 11
        }
    }
}

/// A change to an address; nil members stay as they are.
public struct AddressChanges: Sendable, Hashable {
    /// Split or unsplit.
    public var split: Bool?
    /// New free text.
    public var freeText: String?
    /// New part values ("" clears one).
    public var parts: [AddressPart: String] = [:]

    /// No change.
    public init(split: Bool? = nil, freeText: String? = nil, parts: [AddressPart: String] = [:]) {
        self.split = split
        self.freeText = freeText
        self.parts = parts
    }

    /// Whether nothing would change.
    public var isEmpty: Bool { split == nil && freeText == nil && parts.isEmpty }
}
