import CChatPanelProto

/// The compiled schema of every ChatPanel service: its methods with their request and answer
/// messages, read from protoc-c's descriptors. Tools use it to show a method (`chatpanelctl
/// describe`) and to call any method with JSON (`chatpanelctl call`).
public enum ProtoSchema {
    /// Every service compiled into the codec (copies of protoc-c's descriptors: their pointers
    /// lead into the static tables).
    nonisolated(unsafe) private static let services: [ProtobufCServiceDescriptor] = [
        chatpanel__admin__v1__admin__descriptor,
        chatpanel__changes__v1__changes__descriptor,
        chatpanel__clients__v1__clients__descriptor,
        chatpanel__gateway__v1__gateway__descriptor,
        chatpanel__health__v1__health__descriptor,
        chatpanel__insights__v1__insights__descriptor,
        chatpanel__metrics__v1__metrics__descriptor,
        chatpanel__orders__v1__orders__descriptor,
        chatpanel__reflection__v1__reflection__descriptor,
        chatpanel__tasks__v1__tasks__descriptor,
        chatpanel__testing__v1__echo__descriptor,
    ]

    /// The full names of the compiled services, like `chatpanel.health.v1.Health`.
    public static var serviceNames: [String] { services.map { String(cString: $0.name) }.sorted() }

    /// The methods of every compiled service.
    public static var methods: [ProtoMethodSchema] {
        services.flatMap { service in
            UnsafeBufferPointer(start: service.methods, count: Int(service.n_methods)).map { method in
                ProtoMethodSchema(service: String(cString: service.name), method: method)
            }
        }
    }

    /// The method at `path` (`/chatpanel.x.v1.Service/Method`), or nil when no compiled service has it.
    public static func method(_ path: String) -> ProtoMethodSchema? {
        methods.first { $0.path == path }
    }

    /// The message named `fullName` (`chatpanel.x.v1.Message`) among the messages the methods use
    /// and everything they contain.
    public static func message(_ fullName: String) -> ProtoMessageSchema? {
        var seen = Set<String>()
        var queue = methods.flatMap { [$0.request, $0.response] }
        while let next = queue.popLast() {
            guard seen.insert(next.fullName).inserted else { continue }
            if next.fullName == fullName { return next }
            queue.append(contentsOf: next.fields.compactMap(\.message))
        }
        return nil
    }
}

extension ProtoSchema {
    /// The request type of every method of the services the processes serve (the reflection and
    /// testing services left out), sorted by path: the `FuzzServiceRequests` target picks one by
    /// its input's first byte, and the tests that replay its corpus pick the same one.
    public static let serviceRequestTypes: [any ProtoMessage.Type] = {
        let services: [[String: any ProtoMessage.Type]] = [
            ClientsV1.Clients.requestTypes, TasksV1.Tasks.requestTypes, OrdersV1.Orders.requestTypes,
            InsightsV1.Insights.requestTypes, GatewayV1.Gateway.requestTypes, HealthV1.Health.requestTypes,
            AdminV1.Admin.requestTypes, MetricsV1.Metrics.requestTypes, ChangesV1.Changes.requestTypes,
        ]
        return services.flatMap { $0 }.sorted { $0.key < $1.key }.map(\.value)
    }()
}
