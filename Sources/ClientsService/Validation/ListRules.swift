public import ChatPanelProto
public import ChatPanelRPC

/// What a client list is narrowed to, validated.
public struct ClientFilter: Sendable, Hashable {
    /// A search of `ListClients`.
    public enum Query: Sendable, Hashable {
        /// An exact, normalized email.
        case email(String)
        /// An exact, normalized phone.
        case phone(String)
        /// A prefix of the name key ("last first patronymic", see ``SearchKey``).
        case namePrefix(String)
    }

    /// Tags the clients carry (none: any client).
    public var tagIDs: [Int64]
    /// How several tags combine.
    public var match: ClientsV1.TagMatch
    /// The search, if any.
    public var query: Query?

    /// A filter.
    public init(tagIDs: [Int64] = [], match: ClientsV1.TagMatch = .all, query: Query? = nil) {
        self.tagIDs = tagIDs
        self.match = match
        self.query = query
    }
}

/// Paging and filter checks shared by the list methods.
public enum ListRules {
    /// The most tags one filter names.
    public static let maximumTags = 10
    /// The page size when none is asked for.
    public static let defaultPageSize = 50
    /// The largest page.
    public static let maximumPageSize = 200

    /// A `ListClients` request's filter; the query is read as an email when it has an @, as a
    /// phone when it parses as one (in `phoneRegion` when it has no `+`), else as a name prefix.
    public static func clientFilter(_ request: ClientsV1.ListClientsRequest, phoneRegion: String) throws(RPCError) -> ClientFilter {
        var violations = FieldViolations()
        let tagIDs = tags(request.tagIDs, match: request.match, &violations)
        var query: ClientFilter.Query? = nil
        if let text = violations.take(TextRule.query.clean(request.query), field: "query"), !text.isEmpty {
            if text.contains("@") {
                query = violations.take(EmailAddress.normalize(text), field: "query").map { .email($0) }
            } else if case .success(let phone) = PhoneNumber.parse(text, region: phoneRegion) {
                query = .phone(phone.normalized)
            } else {
                query = .namePrefix(SearchKey.make(text))
            }
        }
        try violations.throwIfAny()
        return ClientFilter(tagIDs: tagIDs, match: request.match, query: query)
    }

    /// Checked tag ids of a filter.
    public static func tags(_ ids: [Int64], match: ClientsV1.TagMatch, _ violations: inout FieldViolations) -> [Int64] {
        if ids.count > maximumTags { violations.add(field: "tag_ids", "at most \(maximumTags) tags") }
        for (index, id) in ids.enumerated() where id <= 0 { violations.add(field: "tag_ids[\(index)]", "must be a tag id") }
        if case .unrecognized = match { violations.add(field: "match", "must be TAG_MATCH_ALL or TAG_MATCH_ANY") }
        var unique: [Int64] = []
        for id in ids where !unique.contains(id) { unique.append(id) }
        return unique
    }

    /// The page size of a merge history when none is asked for.
    public static let defaultMergePageSize = 20
    /// The largest page of a merge history (each record carries a client snapshot).
    public static let maximumMergePageSize = 50

    /// The page size asked for (0 means `defaultSize`), or a violation of `page_size`.
    public static func pageSize(
        _ size: Int32, default defaultSize: Int = defaultPageSize, maximum: Int = maximumPageSize, _ violations: inout FieldViolations
    ) -> Int {
        if size == 0 { return defaultSize }
        if size < 0 || Int(size) > maximum {
            violations.add(field: "page_size", "must be between 1 and \(maximum) (0 means \(defaultSize))")
            return defaultSize
        }
        return Int(size)
    }
}

/// Where a page of a client's tags ends: the last tag's place in their order (pinned first,
/// then by the time they were attached, then by tag id).
public struct ClientTagCursor: Sendable, Hashable {
    /// 1 for the pinned tag, 0 for the others.
    public var pinned: Int
    /// When the tag was attached, UTC ms.
    public var attachedAtMs: Int64
    /// The tag's id.
    public var tagID: Int64

    /// A cursor.
    public init(pinned: Int, attachedAtMs: Int64, tagID: Int64) {
        self.pinned = pinned
        self.attachedAtMs = attachedAtMs
        self.tagID = tagID
    }
}

/// Where a page ends, as an opaque token: "c<id>" (clients by id), "n<id>:<name key>" (clients
/// by name), "d<client id>:<dialog id>" (dialogs by tag), "l<dialog id>" (a client's dialogs),
/// "t<pinned>:<attached at>:<tag id>" (a client's tags), "m<merge id>" (merge history).
///
/// Every token names the last entry given, never a position: entries added or removed meanwhile
/// do not shift the next page.
public enum PageToken: Sendable, Hashable {
    /// After this client id, descending.
    case clientID(Int64)
    /// After this (name key, id), ascending.
    case name(key: String, id: Int64)
    /// After this dialog of this client (clients descending, dialogs ascending).
    case dialog(clientID: Int64, dialogID: String)
    /// After this dialog id of one client, ascending.
    case clientDialog(String)
    /// After this tag of one client, in the tags' order.
    case clientTag(ClientTagCursor)
    /// After this merge id, descending.
    case merge(Int64)

    /// The token's text.
    public var text: String {
        switch self {
        case .clientID(let id): "c\(id)"
        case .name(let key, let id): "n\(id):\(key)"
        case .dialog(let clientID, let dialogID): "d\(clientID):\(dialogID)"
        case .clientDialog(let dialogID): "l\(dialogID)"
        case .clientTag(let cursor): "t\(cursor.pinned):\(cursor.attachedAtMs):\(cursor.tagID)"
        case .merge(let id): "m\(id)"
        }
    }

    /// Reads a token, or `INVALID_ARGUMENT` on `page_token`; nil for an empty one.
    public static func parse(_ text: String) throws(RPCError) -> PageToken? {
        guard let kind = text.first else { return nil }
        let body = text.dropFirst()
        let invalid = RPCError.invalidArgument(field: "page_token", "is not a token this service gave")
        switch kind {
        case "c", "m":
            guard let id = Int64(body) else { throw invalid }
            return kind == "c" ? .clientID(id) : .merge(id)
        case "l":
            guard !body.isEmpty else { throw invalid }
            return .clientDialog(String(body))
        case "t":
            let parts = body.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, let pinned = Int(parts[0]), (0...1).contains(pinned), let attachedAt = Int64(parts[1]),
                let tagID = Int64(parts[2])
            else { throw invalid }
            return .clientTag(ClientTagCursor(pinned: pinned, attachedAtMs: attachedAt, tagID: tagID))
        case "n", "d":
            guard let colon = body.firstIndex(of: ":"), let id = Int64(body[..<colon]) else { throw invalid }
            let rest = String(body[body.index(after: colon)...])
            return kind == "n" ? .name(key: rest, id: id) : .dialog(clientID: id, dialogID: rest)
        default:
            throw invalid
        }
    }
}
