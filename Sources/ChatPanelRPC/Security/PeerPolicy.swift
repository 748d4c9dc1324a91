/// Which local processes may talk to a server, decided from the peer's `SO_PEERCRED`.
///
/// A process is allowed when its user id or its group id is listed. The caller identity a
/// request carries (manager id, rights) is trusted because only allowed processes (the
/// gateway, the CLI run by an operator) get to send requests at all; other peers are logged
/// and disconnected before their first frame is read.
public struct PeerPolicy: Sendable, Hashable {
    /// User ids allowed to connect.
    public var allowedUserIDs: Set<UInt32>
    /// Group ids allowed to connect (the primary group of the peer process).
    public var allowedGroupIDs: Set<UInt32>

    /// A policy with explicit lists.
    public init(allowedUserIDs: Set<UInt32>, allowedGroupIDs: Set<UInt32> = []) {
        self.allowedUserIDs = allowedUserIDs
        self.allowedGroupIDs = allowedGroupIDs
    }

    /// Whether a peer with these credentials may connect.
    public func allows(_ peer: PeerCredentials) -> Bool {
        allowedUserIDs.contains(peer.userID) || allowedGroupIDs.contains(peer.groupID)
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
