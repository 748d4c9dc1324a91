public import ChatPanelProto
public import ChatPanelRPC

/// A validated change to a client (CLIENT-2, CLIENT-7, CLIENT-8); nil members stay as they are.
public struct ClientChanges: Sendable, Hashable {
    /// New first name ("" clears it).
    public var firstName: String?
    /// New last name.
    public var lastName: String?
    /// New patronymic.
    public var patronymic: String?
    /// New normalized email ("" clears it).
    public var email: String?
    /// The new list of phones, replacing the old one.
    public var phones: [PhoneNumber]?
    /// A phone to put first, keeping the others (an equal number moves to the front).
    public var frontPhone: PhoneNumber?
    /// The address change.
    public var address: AddressChanges?

    /// No change.
    public init() {}

    /// The most phones a client keeps.
    public static let maximumPhones = 10

    /// Validates an `UpdateClient` request, naming every bad field (`first_name`,
    /// `phones.numbers[1]`, `address.city`, …) in one `INVALID_ARGUMENT`; phones without `+`
    /// are read as dialled in `phoneRegion`.
    public init(validating request: ClientsV1.UpdateClientRequest, phoneRegion: String) throws(RPCError) {
        var violations = FieldViolations()
        if let value = request.firstName { firstName = violations.take(TextRule.personName.clean(value), field: "first_name") }
        if let value = request.lastName { lastName = violations.take(TextRule.personName.clean(value), field: "last_name") }
        if let value = request.patronymic { patronymic = violations.take(TextRule.personName.clean(value), field: "patronymic") }
        if let value = request.email {
            email = value.trimmingWhitespace().isEmpty ? "" : violations.take(EmailAddress.normalize(value), field: "email")
        }
        if let list = request.phones {
            if list.numbers.count > Self.maximumPhones {
                violations.add(field: "phones.numbers", "at most \(Self.maximumPhones) phones")
            }
            var parsed: [PhoneNumber] = []
            for (index, number) in list.numbers.enumerated() {
                let field = "phones.numbers[\(index)]"
                guard let phone = violations.take(PhoneNumber.parse(number, region: phoneRegion), field: field) else { continue }
                if let first = parsed.firstIndex(where: { $0.normalized == phone.normalized }) {
                    violations.add(field: field, "is the same number as phones.numbers[\(first)]")
                    continue
                }
                parsed.append(phone)
            }
            phones = parsed
        }
        if let update = request.address {
            var changes = AddressChanges(split: update.split)
            if let text = update.text { changes.freeText = violations.take(TextRule.addressText.clean(text), field: "address.text") }
            let parts: [(AddressPart, String?)] = [
                (.postalCode, update.postalCode), (.city, update.city), (.country, update.country), (.region, update.region),
                (.metro, update.metro), (.street, update.street), (.house, update.house), (.flat, update.flat),
                (.building, update.building), (.entrance, update.entrance), (.floor, update.floor), (.block, update.block),
            ]
            for case (let part, let value?) in parts {
                if let cleaned = violations.take(TextRule.addressPart.clean(value), field: "address.\(part.rawValue)") {
                    changes.parts[part] = cleaned
                }
            }
            address = changes
        }
        try violations.throwIfAny()
    }

    /// Validates a message fragment applied to a client field (CLIENT-8) like the matching
    /// edit; violations name the field `fragment`. Not for product queries.
    public init(fragment raw: String, target: ClientsV1.FragmentTarget, phoneRegion: String) throws(RPCError) {
        let field = "fragment"
        let fragment = MessageFragment.clean(raw, keepTrailingDot: target == .address)
        func require(_ result: Result<String, ValidationFailure>) throws(RPCError) -> String {
            switch result {
            case .success(let value) where value.isEmpty: throw RPCError.invalidArgument(field: field, "must not be empty")
            case .success(let value): return value
            case .failure(let failure): throw RPCError.invalidArgument(field: field, failure)
            }
        }
        switch target {
        case .firstName: firstName = try require(TextRule.personName.clean(fragment))
        case .lastName: lastName = try require(TextRule.personName.clean(fragment))
        case .patronymic: patronymic = try require(TextRule.personName.clean(fragment))
        case .email: email = try require(EmailAddress.normalize(fragment))
        case .address: address = AddressChanges(freeText: try require(TextRule.addressText.clean(fragment)))
        case .phone:
            switch PhoneNumber.parse(fragment, region: phoneRegion) {
            case .success(let phone): frontPhone = phone
            case .failure(let failure): throw RPCError.invalidArgument(field: field, failure)
            }
        case .productQuery, .unspecified, .unrecognized:
            throw RPCError.invalidArgument(field: "target", "must be a client field")
        }
    }
}
