import ChatPanelRPC

/// A person's name in its three parts, as the CRM stores it.
public struct PersonName: Sendable, Hashable {
    /// First name.
    public var first: String
    /// Last name.
    public var last: String
    /// Patronymic.
    public var patronymic: String

    /// A name.
    public init(first: String = "", last: String = "", patronymic: String = "") {
        self.first = first
        self.last = last
        self.patronymic = patronymic
    }

    /// "Last First Patronymic" without the empty parts: how Russian CRMs list people.
    public var displayName: String {
        [last, first, patronymic].filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Splits a chat display name into parts (for "Save client", CLIENT-1).
    ///
    /// One word is a first name; two are "First Last". With three or more, a patronymic
    /// (ending in -вич, -вна, -ична, or оглы/кызы) in second place means "First Patronymic
    /// Last", in third place "Last First Patronymic"; otherwise the first word is the first
    /// name and the rest the last name. Longer parts are cut to the name limit.
    public static func parse(displayName: String) -> PersonName {
        let words = displayName.collapsingWhitespace().split(separator: " ").map(String.init)
        func limited(_ text: String) -> String { text.truncatedToUTF8(TextRule.personName.maxBytes) }
        switch words.count {
        case 0:
            return PersonName()
        case 1:
            return PersonName(first: limited(words[0]))
        case 2:
            return PersonName(first: limited(words[0]), last: limited(words[1]))
        default:
            if words.count == 3, isPatronymic(words[1]) {
                return PersonName(first: limited(words[0]), last: limited(words[2]), patronymic: limited(words[1]))
            }
            if words.count == 3, isPatronymic(words[2]) {
                return PersonName(first: limited(words[1]), last: limited(words[0]), patronymic: limited(words[2]))
            }
            return PersonName(first: limited(words[0]), last: limited(words.dropFirst().joined(separator: " ")))
        }
    }

    /// Whether `word` looks like a Russian (or Turkic) patronymic.
    static func isPatronymic(_ word: String) -> Bool {
        let lower = word.lowercased()
        return ["вич", "вна", "ична", "оглы", "кызы"].contains { lower.hasSuffix($0) } && lower.count > 4
    }
}

extension String {
    /// The longest prefix of whole characters that fits in `maxBytes` bytes of UTF-8.
    func truncatedToUTF8(_ maxBytes: Int) -> String {
        guard utf8.count > maxBytes else { return self }
        var result = ""
        var bytes = 0
        for character in self {
            let size = character.utf8.count
            if bytes + size > maxBytes { break }
            result.append(character)
            bytes += size
        }
        return result
    }
}
