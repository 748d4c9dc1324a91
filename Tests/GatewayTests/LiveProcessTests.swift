import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The live panel with the real `chatpaneld` processes: a service restarted while a panel is
/// watched is subscribed to again, and its changes keep reaching the watcher.
@Suite("Gateway: live panel, real processes", .serialized)
struct LiveProcessTests {
    @Test("a service killed mid-watch: the watcher is shown it unavailable; restarted, subscribed again and its changes reach the watcher")
    func serviceRestartMidWatch() async throws {
        try await withTemporaryDirectory { directory in
            let children = Children()
            defer { children.killAll() }
            func start(_ process: String, log: String? = nil, extra: [String] = []) async throws -> ChildProcess {
                try await children.startDaemon(process, in: directory, log: log, extra: extra)
            }
            _ = try await start("clients")
            let tasksProcess = try await start("tasks")
            _ = try await start(
                "gateway", extra: ["--clients-socket", "\(directory)/clients.sock", "--tasks-socket", "\(directory)/tasks.sock"])
            let clients = RPCClient(configuration: RPCClientConfiguration(socketPath: "\(directory)/clients.sock"))
            let tasks = RPCClient(configuration: RPCClientConfiguration(socketPath: "\(directory)/tasks.sock"))
            let gateway = RPCClient(configuration: RPCClientConfiguration(socketPath: "\(directory)/gateway.sock"))
            let options = RPCCallOptions(timeout: .seconds(10), caller: As.manager)
            _ = try await clients.unary(ClientsV1.Clients.upsertDialog, Seed.dialog("d-restart"), options: options)
            var save = ClientsV1.SaveClientFromDialogRequest()
            save.dialogID = "d-restart"
            let clientID = try #require(
                try await clients.unary(ClientsV1.Clients.saveClientFromDialog, save, options: options).client?.clientID)

            let watch = PanelWatchReader(gateway, dialog: "d-restart", as: As.manager)
            defer { watch.stop() }
            _ = try await watch.waitFor("the first whole panel") { $0.panel != nil }
            _ = try await tasks.unary(TasksV1.Tasks.createNote, Seed.note("до перезапуска", client: clientID), options: options)
            _ = try await watch.waitFor("the note made before the restart") { LiveTests.notes(in: $0).contains("до перезапуска") }

            tasksProcess.send(SIGKILL)
            #expect(try await tasksProcess.waitForExit(timeout: .seconds(20)) != nil)
            // While it is down, the watcher is told: its widgets are unavailable, not stale data.
            _ = try await watch.waitFor("the notes widget unavailable while tasks is down") { update in
                let widget = update.widgets.first { $0.kind == .notes } ?? update.panel?.widget(.notes)
                return widget?.state == .unavailable
            }
            _ = try await start("tasks", log: "tasks-2")
            _ = try await tasks.unary(TasksV1.Tasks.createNote, Seed.note("после перезапуска", client: clientID), options: options)
            _ = try await watch.waitFor("the note made after the restart") { LiveTests.notes(in: $0).contains("после перезапуска") }

            try await waitUntil("the gateway's health reports the tasks feed subscribed again") {
                let health = try await gateway.unary(HealthV1.Health.check, HealthV1.HealthCheckRequest(), options: options)
                guard let feed = health.components.first(where: { $0.name == "tasks.feed" }) else { return false }
                return feed.status == .serving && !feed.detail.contains(" 1 subscriptions")
            }
            await clients.close()
            await tasks.close()
            await gateway.close()
        }
    }
}
