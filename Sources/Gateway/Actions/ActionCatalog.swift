/// The widget actions the gateway forwards, by method path, each with the upstream that owns
/// it: made from every ``UpstreamDescriptor``'s actions.
struct ActionCatalog: Sendable {
    private let entries: [String: (GatewayAction, Upstream)]

    init(upstreams: UpstreamSet) {
        var entries: [String: (GatewayAction, Upstream)] = [:]
        for upstream in upstreams.all {
            for action in upstream.descriptor.actions {
                precondition(entries[action.path] == nil, "\(action.path) is listed twice")
                entries[action.path] = (action, upstream)
            }
        }
        self.entries = entries
    }

    /// The action at a method path and its upstream; nil when the gateway does not forward it.
    subscript(path path: String) -> (GatewayAction, Upstream)? { entries[path] }
}
