#if canImport(Glibc)
    import Glibc
#endif

/// Sockets passed by systemd socket activation (`sd_listen_fds`).
public enum SystemdActivation {
    /// The first descriptor systemd passes (`SD_LISTEN_FDS_START`).
    public static let firstDescriptor: Int32 = 3

    /// The listening descriptors passed to this process: `LISTEN_PID` must be this process and
    /// `LISTEN_FDS` says how many, starting at 3. Empty when not socket-activated.
    public static func listenDescriptors(environment: [String: String], processID: Int32) -> [Int32] {
        guard let pidText = environment["LISTEN_PID"], let pid = Int32(pidText), pid == processID,
            let countText = environment["LISTEN_FDS"], let count = Int32(countText), count > 0
        else { return [] }
        return (0..<count).map { firstDescriptor + $0 }
    }
}
