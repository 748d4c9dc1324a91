/// The gateway's upstreams, one per entry of ``UpstreamDescriptor/all``, in that order.
public struct UpstreamSet: Sendable {
    /// Every upstream.
    public let all: [Upstream]

    /// One upstream per descriptor, at the socket the configuration names for it.
    init(_ descriptors: [UpstreamDescriptor], configuration: GatewayConfiguration) {
        all = descriptors.map { descriptor in
            Upstream(
                descriptor, socketPath: configuration.upstreamSockets[descriptor.name] ?? descriptor.defaultSocketFileName,
                breaker: configuration.breaker)
        }
    }

    /// The upstream a descriptor describes.
    public subscript(_ descriptor: UpstreamDescriptor) -> Upstream {
        guard let upstream = all.first(where: { $0.name == descriptor.name }) else {
            preconditionFailure("\(descriptor.name) is not in UpstreamDescriptor.all")
        }
        return upstream
    }
}
