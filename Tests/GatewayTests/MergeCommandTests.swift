import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import ChatPanelSystem
import Gateway
import Testing

/// `chatpanelctl clients merge` merges through the gateway's workflow: the client records,
/// then the merged client's tasks and notes.
@Suite("Gateway: chatpanelctl clients merge")
struct MergeCommandTests {
    @Test("the CLI merge runs the gateway's workflow to DONE: tasks and notes move to the survivor")
    func mergeThroughGateway() async throws {
        try await withGateway { h in
            let survivor = try await h.savedClient("d-cli-keep", name: "Ольга Иванова")
            let merged = try await h.savedClient("d-cli-gone", name: "Ольга Иванова")
            let task = try await h.task("Send the contract", client: merged, performer: As.manager.managerID)
            let note = try await h.note("prefers mornings", client: merged)

            let control = try ChildProcess.spawn(
                Binaries.control,
                [
                    "clients", "merge", "--socket", h.gatewaySocket, "--manager", "\(As.manager.managerID)", "--survivor", "\(survivor)",
                    "--merged", "\(merged)",
                ], logPrefix: "\(h.directory)/ctl-merge")
            defer { control.kill() }
            let termination = try await control.waitForExit(timeout: .seconds(60))
            #expect(termination == .exited(0), "\(control.standardError)")
            #expect(control.standardOutput.contains("DONE"), "\(control.standardOutput)")

            #expect(try await h.tasksOf(survivor).map(\.taskID) == [task.taskID])
            #expect(try await h.notesOf(survivor).map(\.noteID) == [note.noteID])
            let card = try #require(try await h.panel("d-cli-gone").client).card()
            #expect(card.client?.clientID == survivor)
        }
    }
}
