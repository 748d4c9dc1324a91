/// The gateway's upstreams, one per entry of ``UpstreamDescriptor/all``, in that order.
public struct UpstreamSet: Sendable {
    /// Every upstream.
    public let all: [Upstream]

    /// One upstream per descriptor, at the socket the configuration names for it.
    init(_ descriptors: [UpstreamDescriptor], configuration: GatewayConfiguration) {
        all = descriptors.filter { !$0.isOptional || configuration.upstreamSockets[$0.name] != nil }.map { descriptor in
            Upstream(
                descriptor, socketPath: configuration.upstreamSockets[descriptor.name] ?? descriptor.defaultSocketFileName,
                breaker: configuration.breaker)
        }
    }

    /// The upstream a descriptor describes.
    /// The upstream of `descriptor`; nil when it is optional and not configured.
    public func configured(_ descriptor: UpstreamDescriptor) -> Upstream? {
        all.first(where: { $0.name == descriptor.name })
    }

    public subscript(_ descriptor: UpstreamDescriptor) -> Upstream {
        guard let upstream = all.first(where: { $0.name == descriptor.name }) else {
            preconditionFailure("\(descriptor.name) is not in UpstreamDescriptor.all")
        }
        return upstream
    }
}
