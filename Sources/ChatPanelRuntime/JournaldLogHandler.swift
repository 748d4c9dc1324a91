public import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Writes log lines to stderr with a journald priority prefix (`<6>` for info), so that
/// systemd-journald files each line at its level; the metadata follows as `key=value` pairs.
///
/// ```
/// <5>clients: rpc.server.listening chatpanel.rpc.listener=path("/run/chatpanel/clients.sock")
/// ```
public struct JournaldLogHandler: LogHandler {
    /// The component name every line starts with.
    public let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    /// A handler for `label` at `level`.
    public init(label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The syslog priority journald reads from the prefix.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var line = "<\(Self.priority(event.level))>\(label): \(event.message)"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        line += "\n"
        line.withCString { pointer in
            _ = write(2, pointer, strlen(pointer))
        }
    }
}
