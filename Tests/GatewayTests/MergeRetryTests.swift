import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import Gateway
import Testing

/// Merge workflows whose service is down: each progresses on its own, waits longer between
/// attempts, says why it waits (RETRYING with the error), and is reported FAILED once it gives up.
@Suite("Gateway: merge workflows on a down service")
struct MergeRetryTests {
    private func workflow(_ h: GatewayHarness, _ id: String) async throws -> GatewayV1.MergeWorkflow {
        try await h.call(GatewayV1.Gateway.getMergeWorkflow, Seed.workflow(id))
    }

    @Test("a workflow stuck on the down tasks service blocks no later workflow and says why it waits")
    func independentWorkflows() async throws {
        try await withGateway(tasksRunning: false) { h in
            let a = try await h.savedClient("d-ra", name: "Анна")
            let b = try await h.savedClient("d-rb", name: "Анна")
            let c = try await h.savedClient("d-rc", name: "Анна")
            let d = try await h.savedClient("d-rd", name: "Анна")
            let stuck = try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: a, merged: b), requestID: "stuck-1")
            try await waitUntil("the first workflow merged the clients and waits on the tasks service") {
                let current = try await workflow(h, stuck.workflowID)
                return current.steps.first?.done == true && (current.steps.last?.attempts ?? 0) >= 1
            }
            // b is merged already: this one fails at once at its first step, however the first one waits.
            let refused = try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: c, merged: b), requestID: "refused-1")
            var failed = GatewayV1.MergeWorkflow()
            try await waitUntil("the second workflow is FAILED while the first one waits") {
                failed = try await workflow(h, refused.workflowID)
                return failed.state == .failed
            }
            #expect(!failed.reason.isEmpty)
            // A third one merges its clients too, while the first still waits.
            let third = try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: c, merged: d), requestID: "third-1")
            try await waitUntil("the third workflow merged its clients") {
                try await workflow(h, third.workflowID).steps.first?.done == true
            }
            var waiting = GatewayV1.MergeWorkflow()
            try await waitUntil("the first workflow reports RETRYING with its error") {
                waiting = try await workflow(h, stuck.workflowID)
                return waiting.state == .retrying
            }
            #expect(!waiting.reason.isEmpty, "\(waiting)")
            #expect(waiting.attempts >= 1)
            #expect(waiting.nextAttemptAtMs > 0)
            #expect(waiting.steps.last?.lastError.isEmpty == false)
        }
    }
}
