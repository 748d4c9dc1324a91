import ChatPanelProto

extension RPCRouter {
    /// `Reflection/ListMethods` over this router's methods (itself included): what a tool like
    /// `chatpanelctl list` shows, and how `chatpanelctl call` learns whether a method streams.
    /// Any peer allowed to connect may ask. Servers add it to every router.
    func addingReflection() -> RPCRouter {
        var router = self
        let path = ReflectionV1.Reflection.listMethods.path
        var listed: [(String, Bool, MethodGroup?)] = routes.map { ($0.key, $0.value.isStreaming, $0.value.group) }
        if routes[path] == nil { listed.append((path, false, nil)) }
        var response = ReflectionV1.ListMethodsResponse()
        response.methods = listed.sorted { $0.0 < $1.0 }.map { path, isStreaming, group in
            var method = ReflectionV1.MethodInfo()
            method.path = path
            method.serverStreaming = isStreaming
            method.group = group?.rawValue ?? ""
            return method
        }
        router.register(ReflectionV1.Reflection.listMethods, group: nil) { [response] _, _ in response }
        return router
    }
}
