import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import ChatPanelSystem
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real `chatpaneld` processes (clients, tasks, gateway) on sockets of a temporary folder:
/// a hung tasks service (SIGSTOP) costs only its widgets within the panel's deadline, and a
/// merge workflow survives the gateway being killed in the middle.
@Suite("Gateway: real processes", .serialized)
struct GatewayProcessTests {
    /// The sockets and state folders of one deployment.
    struct Layout {
        let directory: String
        var clientsSocket: String { "\(directory)/clients.sock" }
        var tasksSocket: String { "\(directory)/tasks.sock" }
        var gatewaySocket: String { "\(directory)/gateway.sock" }
    }

    /// Runs `body` with a temporary folder for the processes; every child is killed on every exit path.
    private func withDeployment(_ body: (Layout, Children) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let children = Children()
            defer { children.killAll() }
            try await body(Layout(directory: directory), children)
        }
    }

    /// Starts `chatpaneld <process>` on its socket and state folder of `layout` and waits until it answers.
    private func start(
        _ process: String, _ layout: Layout, _ children: Children, log: String? = nil, extra: [String] = []
    ) async throws -> ChildProcess {
        try await children.startDaemon(process, in: layout.directory, log: log, extra: extra)
    }

    private func startClients(_ layout: Layout, _ children: Children) async throws -> ChildProcess {
        try await start("clients", layout, children)
    }

    private func startTasks(_ layout: Layout, _ children: Children, log: String = "tasks") async throws -> ChildProcess {
        try await start("tasks", layout, children, log: log)
    }

    private func startGateway(_ layout: Layout, _ children: Children, log: String = "gateway") async throws -> ChildProcess {
        try await start(
            "gateway", layout, children, log: log,
            extra: ["--clients-socket", layout.clientsSocket, "--tasks-socket", layout.tasksSocket, "--panel-timeout-ms", "500"])
    }

    private func client(_ socket: String) -> RPCClient { RPCClient(configuration: RPCClientConfiguration(socketPath: socket)) }

    private func savedClient(_ clients: RPCClient, dialog: String, name: String) async throws -> Int64 {
        let options = RPCCallOptions(caller: As.manager)
        _ = try await clients.unary(ClientsV1.Clients.upsertDialog, Seed.dialog(dialog, name: name), options: options)
        var save = ClientsV1.SaveClientFromDialogRequest()
        save.dialogID = dialog
        let card = try await clients.unary(ClientsV1.Clients.saveClientFromDialog, save, options: options)
        return try #require(card.client?.clientID)
    }

    private func seedTaskAndNote(_ tasks: RPCClient, client: Int64) async throws -> Int64 {
        let options = RPCCallOptions(caller: As.manager)
        let created = try await tasks.unary(
            TasksV1.Tasks.createTask, Seed.task("Call back", client: client, performer: As.manager.managerID), options: options)
        var note = TasksV1.CreateNoteRequest()
        note.clientID = client
        note.text = "asked for a discount"
        _ = try await tasks.unary(TasksV1.Tasks.createNote, note, options: options)
        return try #require(created.task?.taskID)
    }

    private func panel(_ gateway: RPCClient, dialog: String) async throws -> GatewayV1.Panel {
        var request = GatewayV1.GetPanelRequest()
        request.dialogID = dialog
        return try await gateway.unary(
            GatewayV1.Gateway.getPanel, request, options: RPCCallOptions(timeout: .seconds(10), caller: As.manager))
    }

    @Test("a gateway whose numeric environment keys are not numbers, or out of range, refuses to start and names the key")
    func badNumericEnvironmentKeys() async throws {
        try await withDeployment { layout, _ in
            for (key, value, expected) in [
                ("CHATPANEL_PANEL_KEY_HINTS", "many", "CHATPANEL_PANEL_KEY_HINTS: 'many' is not a number"),
                ("CHATPANEL_PANEL_KEY_HINTS", "-1", "the panel key hints must be 0 or more"),
                ("CHATPANEL_PANEL_TIMEOUT_MS", "1s", "CHATPANEL_PANEL_TIMEOUT_MS: '1s' is not a number"),
            ] {
                let child = try ChildProcess.spawn(
                    Binaries.daemon,
                    [
                        "gateway", "--socket", layout.gatewaySocket, "--state-dir", "\(layout.directory)/gateway-state",
                        "--clients-socket", layout.clientsSocket, "--tasks-socket", layout.tasksSocket,
                    ],
                    environment: childEnvironment([key: value]), logPrefix: "\(layout.directory)/bad-\(key)-\(value)", name: "gateway")
                defer { child.kill() }
                // A gateway that started after all runs on: it is killed after 20 s.
                let ended = try await child.waitForExit(timeout: .seconds(20))
                #expect(ended != nil && ended != .exited(0), "\(key)=\(value): \(String(describing: ended))")
                let output = child.standardError + child.standardOutput
                #expect(output.contains(expected), "\(key)=\(value): \(output)")
            }
        }
    }

    @Test("a hung tasks service (SIGSTOP): tasks and notes TIMED_OUT, client OK, answer within 500 ms + 1.5 s")
    func hungTasksService() async throws {
        try await withDeployment(hungTasksScenario)
    }

    private func hungTasksScenario(_ layout: Layout, _ children: Children) async throws {
        _ = try await startClients(layout, children)
        let tasksProcess = try await startTasks(layout, children)
        _ = try await startGateway(layout, children)
        let clients = client(layout.clientsSocket)
        let tasks = client(layout.tasksSocket)
        let gateway = client(layout.gatewaySocket)
        defer {
            Task {
                await clients.close(); await tasks.close(); await gateway.close()
            }
        }

        let clientID = try await savedClient(clients, dialog: "d-hung", name: "Иван Петров")
        _ = try await seedTaskAndNote(tasks, client: clientID)
        let warm = try await panel(gateway, dialog: "d-hung")
        #expect(warm.widget(.tasks)?.state == .ok)
        #expect(warm.widget(.notes)?.state == .ok)

        tasksProcess.send(SIGSTOP)
        defer { tasksProcess.send(SIGCONT) }
        try await waitUntil(timeout: .seconds(5), "the tasks process is stopped") { processState(tasksProcess.pid) == "T" }
        let started = ContinuousClock.now
        let hung = try await panel(gateway, dialog: "d-hung")
        let elapsed = started.duration(to: .now)
        #expect(elapsed < .milliseconds(2000), "GetPanel took \(elapsed) with a 500 ms panel deadline")
        #expect(hung.client?.state == .ok)
        let card = try #require(hung.client).card()
        #expect(card.client?.clientID == clientID)
        #expect(hung.widget(.tags)?.state == .ok)
        for kind: GatewayV1.WidgetKind in [.tasks, .notes] {
            let widget = try #require(hung.widget(kind))
            #expect(widget.state == .timedOut, "\(kind): \(widget.state) \(widget.reason)")
            #expect(widget.elapsedMs > 0, "a timed-out widget says how long it was waited for")
        }

        tasksProcess.send(SIGCONT)
        var recovered = GatewayV1.Panel()
        try await waitUntil(timeout: .seconds(15), "the tasks widgets recover after SIGCONT") {
            recovered = try await panel(gateway, dialog: "d-hung")
            return recovered.widget(.tasks)?.state == .ok && recovered.widget(.notes)?.state == .ok
        }
        #expect(try recovered.widget(.tasks)?.tasksData().all?.tasks.count == 1)
    }

    @Test("the merge workflow completes after the gateway is killed mid-workflow and restarted")
    func mergeSurvivesGatewayCrash() async throws {
        try await withDeployment(crashScenario)
    }

    private func crashScenario(_ layout: Layout, _ children: Children) async throws {
        _ = try await startClients(layout, children)
        let tasksProcess = try await startTasks(layout, children)
        let gatewayProcess = try await startGateway(layout, children)
        let clients = client(layout.clientsSocket)
        let tasks = client(layout.tasksSocket)
        let gateway = client(layout.gatewaySocket)

        let survivor = try await savedClient(clients, dialog: "d-keep", name: "Ольга Иванова")
        let merged = try await savedClient(clients, dialog: "d-gone", name: "Ольга Иванова")
        let taskID = try await seedTaskAndNote(tasks, client: merged)
        await tasks.close()

        // The tasks service goes away: step 1 can only fail and be retried.
        tasksProcess.send(SIGTERM)
        #expect(try await tasksProcess.waitForExit(timeout: .seconds(10)) != nil)

        let options = RPCCallOptions(caller: As.manager, requestID: "crash-merge-1")
        let started = try await gateway.unary(
            GatewayV1.Gateway.mergeClients, Seed.merge(survivor: survivor, merged: merged), options: options)
        try await waitUntil(timeout: .seconds(20), "step 0 done and step 1 attempted") {
            let workflow = try await gateway.unary(
                GatewayV1.Gateway.getMergeWorkflow, Seed.workflow(started.workflowID), options: RPCCallOptions(caller: As.manager))
            return workflow.steps.count == 2 && workflow.steps[0].done && !workflow.steps[1].done && workflow.steps[1].attempts >= 1
        }
        await gateway.close()
        gatewayProcess.kill()

        _ = try await startTasks(layout, children, log: "tasks-2")
        _ = try await startGateway(layout, children, log: "gateway-2")
        let restarted = client(layout.gatewaySocket)
        let tasksAgain = client(layout.tasksSocket)
        defer {
            Task {
                await clients.close(); await restarted.close(); await tasksAgain.close()
            }
        }

        var workflow = GatewayV1.MergeWorkflow()
        try await waitUntil(timeout: .seconds(30), "the workflow finishes after the restart") {
            workflow = try await restarted.unary(
                GatewayV1.Gateway.getMergeWorkflow, Seed.workflow(started.workflowID), options: RPCCallOptions(caller: As.manager))
            return workflow.state == .done || workflow.state == .failed
        }
        #expect(workflow.state == .done, "\(workflow)")
        #expect(workflow.steps.allSatisfy { $0.done })
        #expect(workflow.steps[1].attempts >= 2)

        var list = TasksV1.ListTasksRequest()
        list.clientID = survivor
        list.view = .all
        let moved = try await tasksAgain.unary(TasksV1.Tasks.listTasks, list, options: RPCCallOptions(caller: As.manager))
        #expect(moved.tasks.map(\.taskID) == [taskID])
        var notes = TasksV1.ListNotesRequest()
        notes.clientID = survivor
        let movedNotes = try await tasksAgain.unary(TasksV1.Tasks.listNotes, notes, options: RPCCallOptions(caller: As.manager))
        #expect(movedNotes.notes.count == 1)

        // The retried request id still finds the same workflow.
        let retried = try await restarted.unary(
            GatewayV1.Gateway.mergeClients, Seed.merge(survivor: survivor, merged: merged), options: options)
        #expect(retried.workflowID == started.workflowID)
    }
}
