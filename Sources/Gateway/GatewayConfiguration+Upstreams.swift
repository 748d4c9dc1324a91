extension GatewayConfiguration {
    /// Why the upstream sockets could not be worked out from the command line.
    public struct UpstreamArgumentError: Error, CustomStringConvertible {
        /// What is wrong, for people.
        public let description: String
    }

    /// Each upstream's socket: its flag (`--clients-socket PATH` or `--clients-socket=PATH`) among
    /// `arguments`, else its environment key (`CHATPANEL_CLIENTS_SOCKET`), else
    /// `<stateDirectory>/clients.sock`. The flags and keys come from ``UpstreamDescriptor/all``.
    ///
    /// - Throws: ``UpstreamArgumentError`` for an argument that is no upstream's flag, or a flag without a path.
    public static func upstreamSockets(
        arguments: [String], environment: [String: String], stateDirectory: String,
        upstreams: [UpstreamDescriptor] = UpstreamDescriptor.all
    ) throws(UpstreamArgumentError) -> [String: String] {
        var given: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let (flag, inlineValue) = split(argument)
            guard let upstream = upstreams.first(where: { "--\($0.socketFlag)" == flag }) else {
                let known = upstreams.map { "--\($0.socketFlag)" }.joined(separator: ", ")
                throw UpstreamArgumentError(description: "unknown argument '\(argument)' (upstream sockets: \(known))")
            }
            if let inlineValue {
                given[upstream.name] = inlineValue
                index += 1
            } else {
                guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") else {
                    throw UpstreamArgumentError(description: "\(flag) needs a socket path")
                }
                given[upstream.name] = arguments[index + 1]
                index += 2
            }
        }
        var sockets: [String: String] = [:]
        for upstream in upstreams {
            sockets[upstream.name] =
                given[upstream.name] ?? environment[upstream.environmentKey]
                ?? (upstream.isOptional ? nil : "\(stateDirectory)/\(upstream.defaultSocketFileName)")
        }
        return sockets
    }

    /// One help line per upstream socket flag.
    public static func upstreamSocketsHelp(upstreams: [UpstreamDescriptor] = UpstreamDescriptor.all) -> String {
        upstreams.map {
            let fallback =
                $0.isOptional ? "unset: its widgets answer \"not configured\"" : "default <state-dir>/\($0.defaultSocketFileName)"
            return "--\($0.socketFlag) PATH: the \($0.name) service's socket (env \($0.environmentKey); \(fallback))."
        }.joined(separator: "\n")
    }

    private static func split(_ argument: String) -> (String, String?) {
        guard let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }
}
