import CChatPanelSystem

/// Sends state changes to systemd (`sd_notify`): `READY=1`, `STOPPING=1`, `WATCHDOG=1`, `STATUS=…`.
///
/// Does nothing when the process was not started by systemd with `NotifyAccess` (no
/// `NOTIFY_SOCKET` in the environment).
public struct SystemdNotifier: Sendable {
    /// The datagram socket systemd listens on; a leading `@` names an abstract socket.
    public let socketPath: String?

    /// A notifier for an explicit socket path (tests), or nil for none.
    public init(socketPath: String?) {
        self.socketPath = socketPath.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A notifier for `NOTIFY_SOCKET` from the environment.
    public static func fromEnvironment(_ environment: [String: String]) -> SystemdNotifier {
        SystemdNotifier(socketPath: environment["NOTIFY_SOCKET"])
    }

    /// Whether systemd is listening for notifications.
    public var isEnabled: Bool { socketPath != nil }

    /// Sends one state string, like `"READY=1\nSTATUS=serving"`.
    /// - Returns: nil on success or when disabled; the errno value otherwise.
    @discardableResult
    public func notify(_ state: String) -> Int32? {
        guard let socketPath else { return nil }
        let rc = cp_sd_notify(socketPath, state)
        return rc == 0 ? nil : -rc
    }
}
