public import ChatPanelRPC
public import ChatPanelRuntime
public import ChatPanelStore
import ServiceLifecycle

/// Serves a ``ChatPanelRuntime/ChatPanelService`` the way `chatpaneld` does (the same
/// ``ChatPanelRuntime/ServiceHost``: store in `directory`, router, health, background services
/// with the idempotency record pruner), on `<directory>/<name>.sock`; everything is stopped
/// on every exit path. `adjustRoutes` lets a test replace some of the service's routes (a
/// failure injected into one method).
///
/// ```swift
/// try await withLiveService(TasksService.self, configuration: (), in: directory) { host, socket in ... }
/// ```
public func withLiveService<Service: ChatPanelService, T>(
    _ type: Service.Type, configuration: Service.Configuration, in directory: String,
    storeConfiguration: StoreConfiguration = StoreConfiguration(), pruner: PrunerSchedule = PrunerSchedule(),
    adjustRoutes: (inout RPCRouter, Service.Store) -> Void = { _, _ in },
    _ body: (ServiceHost<Service>, String) async throws -> T
) async throws -> T {
    let host = try ServiceHost<Service>(
        configuration: configuration, stateDirectory: directory, storeConfiguration: storeConfiguration, pruner: pruner,
        logger: testLogger(Service.name))
    var router = host.router
    adjustRoutes(&router, host.store)
    return try await withLiveServer(router: router, in: directory, name: Service.name, health: host.health) { _, socket in
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in host.backgroundServices {
                group.addTask { try await service.run() }
            }
            do {
                let result = try await body(host, socket)
                group.cancelAll()
                try? await group.waitForAll()
                return result
            } catch {
                group.cancelAll()
                try? await group.waitForAll()
                throw error
            }
        }
    }
}

/// ``withLiveService(_:configuration:in:storeConfiguration:pruner:adjustRoutes:_:)`` with an
/// `RPCClient` connected to the service's socket, closed on every exit path: the contract
/// suites' harness.
public func withLiveServiceClient<Service: ChatPanelService, T>(
    _ type: Service.Type, configuration: Service.Configuration, in directory: String,
    storeConfiguration: StoreConfiguration = StoreConfiguration(),
    _ body: (ServiceHost<Service>, RPCClient) async throws -> T
) async throws -> T {
    try await withLiveService(type, configuration: configuration, in: directory, storeConfiguration: storeConfiguration) {
        host, socket in
        let client = RPCClient(configuration: RPCClientConfiguration(socketPath: socket))
        do {
            let result = try await body(host, client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}
