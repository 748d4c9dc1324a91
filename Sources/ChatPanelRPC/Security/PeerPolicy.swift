/// The kinds of callers a process serves, as groups of methods. Each method of a router
/// belongs to one group (``RPCRouter/register(_:group:handler:)-(UnaryMethod<Request,Response>,_,_)``);
/// each allow-list entry of a ``PeerPolicy`` names the groups its peers may call.
///
/// | group | who calls it | for example |
/// |---|---|---|
/// | `panel` | the gateway, acting for managers | reads of a panel, a manager's actions |
/// | `feeds` | integrations: the site tracker, the chat back end | cart updates, page views, messages |
/// | `admin` | operators, through `chatpanelctl` | settings, imports, tag jobs, merges started by hand |
///
/// Health methods belong to no group: every allowed peer may call them.
public enum MethodGroup: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case panel, feeds, admin

    public var description: String { rawValue }
}

/// Which local processes may talk to a server, decided from the peer's `SO_PEERCRED`, and
/// which groups of methods each may call.
///
/// A process is allowed to connect when its user id or its (primary) group id is listed; it
/// may call the methods of the groups its entries grant (of both its user and its group
/// entry, when both are listed). The caller identity a request carries (manager id, rights) is
/// trusted only that far: a peer allowed the `feeds` group cannot act as a manager. Peers that
/// are not listed are logged and disconnected before their first frame is read; a call to a
/// group the peer is not granted is answered `PERMISSION_DENIED` and logged with its uid and pid.
///
/// On the command line and in the environment an entry is an id or a name, optionally
/// followed by a colon and the groups joined with `+`: `1001` (every group), `1002:feeds`,
/// `chatpanel-gateway:panel`, `1003:panel+admin` (see ``Entry/init(parsing:resolveName:)``).
public struct PeerPolicy: Sendable, Hashable {
    /// User ids allowed to connect, with the groups each may call.
    public var allowedUserIDs: [UInt32: Set<MethodGroup>]
    /// Group ids allowed to connect (the primary group of the peer process), with the groups each may call.
    public var allowedGroupIDs: [UInt32: Set<MethodGroup>]

    /// A policy whose listed ids may call every method.
    public init(allowedUserIDs: Set<UInt32>, allowedGroupIDs: Set<UInt32> = []) {
        let all = Set(MethodGroup.allCases)
        self.allowedUserIDs = Dictionary(uniqueKeysWithValues: allowedUserIDs.map { ($0, all) })
        self.allowedGroupIDs = Dictionary(uniqueKeysWithValues: allowedGroupIDs.map { ($0, all) })
    }

    /// A policy with the groups of each id.
    public init(allowedUserIDs: [UInt32: Set<MethodGroup>], allowedGroupIDs: [UInt32: Set<MethodGroup>] = [:]) {
        self.allowedUserIDs = allowedUserIDs
        self.allowedGroupIDs = allowedGroupIDs
    }

    /// Whether a peer with these credentials may connect.
    public func allows(_ peer: PeerCredentials) -> Bool {
        allowedUserIDs[peer.userID] != nil || allowedGroupIDs[peer.groupID] != nil
    }

    /// The method groups a peer may call: those of its user entry and of its group entry.
    public func groups(for peer: PeerCredentials) -> Set<MethodGroup> {
        (allowedUserIDs[peer.userID] ?? []).union(allowedGroupIDs[peer.groupID] ?? [])
    }

    /// One allow-list entry: an id and the groups it may call.
    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        /// The user or group id.
        public var id: UInt32
        /// The groups its peers may call.
        public var groups: Set<MethodGroup>

        /// An entry for every group or for some.
        public init(id: UInt32, groups: Set<MethodGroup> = Set(MethodGroup.allCases)) {
            self.id = id
            self.groups = groups
        }

        /// Parses `ID` or `ID:group+group` (`1001`, `1002:feeds`, `1003:panel+admin`); the id may
        /// also be a name that `resolveName` turns into an id (a user or group name, looked up
        /// when the process starts: `chatpanel-gateway:panel`).
        /// - Throws: ``PeerPolicyError`` naming what is wrong.
        public init(parsing text: String, resolveName: (String) -> UInt32? = { _ in nil }) throws(PeerPolicyError) {
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let idText = String(parts[0].trimmingSpaces)
            guard let id = UInt32(idText) ?? (idText.isEmpty ? nil : resolveName(idText)) else {
                throw PeerPolicyError(entry: text, reason: "\"\(parts[0])\" is not a numeric id nor a known name")
            }
            self.id = id
            guard parts.count == 2 else {
                self.groups = Set(MethodGroup.allCases)
                return
            }
            var groups = Set<MethodGroup>()
            for name in parts[1].split(separator: "+", omittingEmptySubsequences: false) {
                guard let group = MethodGroup(rawValue: String(name.trimmingSpaces)) else {
                    let known = MethodGroup.allCases.map(\.rawValue).joined(separator: ", ")
                    throw PeerPolicyError(entry: text, reason: "unknown method group \"\(name)\" (known: \(known))")
                }
                groups.insert(group)
            }
            self.groups = groups
        }

        public var description: String {
            groups == Set(MethodGroup.allCases)
                ? "\(id)" : "\(id):" + MethodGroup.allCases.filter(groups.contains).map(\.rawValue).joined(separator: "+")
        }
    }

    /// A policy from parsed entries; an id listed twice gets the union of its groups.
    public init(userEntries: [Entry], groupEntries: [Entry] = []) {
        func table(_ entries: [Entry]) -> [UInt32: Set<MethodGroup>] {
            entries.reduce(into: [:]) { $0[$1.id, default: []].formUnion($1.groups) }
        }
        self.init(allowedUserIDs: table(userEntries), allowedGroupIDs: table(groupEntries))
    }
}

/// An allow-list entry that cannot be read.
public struct PeerPolicyError: Error, Hashable, CustomStringConvertible {
    /// The entry as written.
    public var entry: String
    /// What is wrong with it.
    public var reason: String

    public var description: String { "allow-list entry \"\(entry)\": \(reason)" }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}

/// Who is at the other end of a Unix socket, as the kernel says (`SO_PEERCRED`).
public struct PeerCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The peer's process id.
    public var processID: Int32
    /// The peer's user id.
    public var userID: UInt32
    /// The peer's group id.
    public var groupID: UInt32

    /// Credentials from their parts.
    public init(processID: Int32, userID: UInt32, groupID: UInt32) {
        self.processID = processID
        self.userID = userID
        self.groupID = groupID
    }

    public var description: String { "pid=\(processID) uid=\(userID) gid=\(groupID)" }
}
