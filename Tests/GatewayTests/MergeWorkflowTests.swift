import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import Gateway
import Testing

/// Merging two clients across services (CLIENT-9) as a durable workflow: the clients merge,
/// then the merged client's tasks and notes move to the survivor; progress is queryable and a
/// retried request id finds the same workflow.
@Suite("Gateway: the merge workflow")
struct MergeWorkflowTests {
    private func waitUntilDone(_ h: GatewayHarness, _ id: String) async throws -> GatewayV1.MergeWorkflow {
        var last = GatewayV1.MergeWorkflow()
        try await waitUntil("workflow \(id) done") {
            last = try await h.call(GatewayV1.Gateway.getMergeWorkflow, Seed.workflow(id))
            return last.state == .done || last.state == .failed
        }
        return last
    }

    @Test("MergeClients runs to DONE; the merged client's tasks and notes show under the survivor")
    func mergeMovesTasksAndNotes() async throws {
        try await withGateway { h in
            let survivor = try await h.savedClient("d-survivor", name: "Ольга Иванова", phone: "+79001112233")
            let merged = try await h.savedClient("d-merged", name: "Ольга Иванова", phone: "+79001112233")
            let movedTask = try await h.task("Send the contract", client: merged, performer: As.manager.managerID)
            try await h.task("Survivor's own", client: survivor, performer: As.manager.managerID)
            let movedNote = try await h.note("prefers mornings", client: merged)

            let started = try await h.call(
                GatewayV1.Gateway.mergeClients, Seed.merge(survivor: survivor, merged: merged), requestID: "merge-1")
            #expect(!started.workflowID.isEmpty)
            #expect(started.survivorClientID == survivor)
            #expect(started.mergedClientID == merged)
            #expect(started.managerID == As.manager.managerID)
            #expect(started.steps.map(\.name) == ["merge clients", "move tasks and notes"])

            let done = try await waitUntilDone(h, started.workflowID)
            #expect(done.state == .done, "\(done)")
            #expect(done.steps.allSatisfy { $0.done })
            #expect(done.steps.allSatisfy { $0.attempts >= 1 })

            let tasks = try await h.tasksOf(survivor)
            #expect(Set(tasks.map(\.taskID)).contains(movedTask.taskID))
            #expect(tasks.count == 2)
            // The merged client's id reads the survivor's tasks and notes, as its card is the survivor's.
            #expect(try await h.tasksOf(merged) == tasks)
            let notes = try await h.notesOf(survivor)
            #expect(notes.map(\.noteID) == [movedNote.noteID])
            #expect(try await h.notesOf(merged) == notes)

            // The merged client's dialog now shows the survivor with both tasks and the note.
            let panel = try await h.panel("d-merged")
            let card = try #require(panel.client).card()
            #expect(card.client?.clientID == survivor)
            #expect(try panel.widget(.tasks)?.tasksData().all?.tasks.count == 2)
            #expect(try panel.widget(.notes)?.notesData().notes.map(\.noteID) == [movedNote.noteID])

            // A retried request id finds the same workflow.
            let retried = try await h.call(
                GatewayV1.Gateway.mergeClients, Seed.merge(survivor: survivor, merged: merged), requestID: "merge-1")
            #expect(retried.workflowID == started.workflowID)
            #expect(retried.state == .done)
        }
    }

    @Test("validation, rights and unknown workflows")
    func refusals() async throws {
        try await withGateway { h in
            await expectError(.invalidArgument, field: "merged_client_id") {
                try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: 5, merged: 5))
            }
            await expectError(.invalidArgument, field: "survivor_client_id") {
                try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: 0, merged: 5))
            }
            // Two missing ids are two missing ids, not a client merged into itself.
            let missing = await expectError(.invalidArgument, fields: ["survivor_client_id", "merged_client_id"]) {
                try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: 0, merged: 0))
            }
            #expect(missing?.violations.map(\.description) == ["is required", "is required"])
            await expectError(.permissionDenied) {
                try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: 4, merged: 5), as: As.reader)
            }
            await expectError(.notFound) { try await h.call(GatewayV1.Gateway.getMergeWorkflow, Seed.workflow("no-such-workflow")) }
        }
    }

    @Test("a merge the clients service already made (its answer lost, its record pruned) completes: the typed refusal says so")
    func alreadyMergedIntoTheSurvivorIsDone() async throws {
        try await withGateway { h in
            let a = try await h.savedClient("d-a", name: "Анна")
            let b = try await h.savedClient("d-b", name: "Анна")
            // The clients step ran once without the workflow hearing of it.
            _ = try await h.clients(ClientsV1.Clients.mergeClients, ClientsV1.MergeClientsRequest.with(survivor: a, merged: b))
            let started = try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: a, merged: b), requestID: "m-lost")
            let done = try await waitUntilDone(h, started.workflowID)
            #expect(done.state == .done, "\(done)")
            #expect(done.steps.allSatisfy { $0.done })
        }
    }

    @Test("merging an already merged client ends FAILED with the step's error")
    func mergedTwiceFails() async throws {
        try await withGateway { h in
            let a = try await h.savedClient("d-a", name: "Анна")
            let b = try await h.savedClient("d-b", name: "Анна")
            let c = try await h.savedClient("d-c", name: "Анна")
            let first = try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: a, merged: b), requestID: "m-1")
            #expect(try await waitUntilDone(h, first.workflowID).state == .done)
            let second = try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: c, merged: b), requestID: "m-2")
            #expect(second.workflowID != first.workflowID)
            let failed = try await waitUntilDone(h, second.workflowID)
            #expect(failed.state == .failed)
            #expect(failed.steps.first?.done == false)
            #expect(failed.steps.first?.lastError.isEmpty == false)
        }
    }
}

extension MergeWorkflowTests {
    @Test("a merge naming a client that does not exist is NOT_FOUND at once, naming the field; no workflow is made")
    func mergeOfAMissingClientIsNotFound() async throws {
        try await withGateway { h in
            let survivor = try await h.savedClient("d-only", name: "Анна")
            let error = await expectError(.notFound) {
                try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: survivor, merged: 987_654), requestID: "m-x")
            }
            #expect(error?.message == "merged_client_id: client 987654 does not exist", "\(String(describing: error))")
            let both = await expectError(.notFound) {
                try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: 987_655, merged: 987_654))
            }
            #expect(both?.message.contains("survivor_client_id: client 987655") == true, "\(String(describing: both))")
            #expect(both?.message.contains("merged_client_id: client 987654") == true, "\(String(describing: both))")
            // Nothing was recorded under the request id: the same id with real clients starts a merge.
            let other = try await h.savedClient("d-other", name: "Анна")
            let started = try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: survivor, merged: other), requestID: "m-x")
            #expect(try await waitUntilDone(h, started.workflowID).state == .done)
        }
    }

    @Test("a merge the clients service refuses (the client merged already) ends FAILED, counted as refused (no operator's alert)")
    func refusedMergeIsNotAFailedJob() async throws {
        try await withGateway { h in
            let a = try await h.savedClient("d-a", name: "Анна")
            let b = try await h.savedClient("d-b", name: "Анна")
            let c = try await h.savedClient("d-c", name: "Анна")
            func runs(_ outcome: String) async throws -> Double {
                let metrics = try await h.call(MetricsV1.Metrics.scrape, MetricsV1.ScrapeRequest()).text
                return sample(metrics, "chatpanel_jobs_runs_total{job=\"merge_workflow\",outcome=\"\(outcome)\"}")
            }
            let first = try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: a, merged: b))
            #expect(try await waitUntilDone(h, first.workflowID).state == .done)
            // (Other suites in this process only add to the counters.)
            let refusedBefore = try await runs("refused")
            let second = try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: c, merged: b))
            let failed = try await waitUntilDone(h, second.workflowID)
            #expect(failed.state == .failed)
            #expect(failed.reason.contains("was refused"), "\(failed.reason)")
            #expect(try await runs("refused") >= refusedBefore + 1)
            // c is as it was: its own dialog still shows it.
            #expect(try await h.panel("d-c").client?.card().client?.clientID == c)
        }
    }
}

extension ClientsV1.MergeClientsRequest {
    /// A request to merge `merged` into `survivor`.
    static func with(survivor: Int64, merged: Int64) -> Self {
        var request = Self()
        request.survivorClientID = survivor
        request.mergedClientID = merged
        return request
    }
}
