import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelTesting
import Gateway
import TasksService
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

    @Test(
        "a workflow that keeps failing gives up FAILED with its reason and attempts; a retried request resumes it once the service is back")
    func givesUpThenResumes() async throws {
        try await withGateway(
            tasksRunning: false,
            configure: {
                $0.mergeRetry.initialDelay = .milliseconds(20)
                $0.mergeRetry.maximumDelay = .milliseconds(80)
                $0.mergeRetry.maximumAttempts = 3
                $0.breaker.failureThreshold = 100
            }
        ) { h in
            let a = try await h.savedClient("d-ga", name: "Анна")
            let b = try await h.savedClient("d-gb", name: "Анна")
            let started = try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: a, merged: b), requestID: "give-up-1")
            var failed = GatewayV1.MergeWorkflow()
            try await waitUntil("the workflow gives up") {
                failed = try await workflow(h, started.workflowID)
                return failed.state == .failed
            }
            #expect(failed.reason.contains("gave up after 3 attempts"), "\(failed.reason)")
            #expect(failed.attempts == 3)
            #expect(failed.steps.map(\.done) == [true, false])
            #expect(failed.steps.last?.attempts == 3)
            #expect(failed.nextAttemptAtMs == 0)
            // Given up: no more attempts are made.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await workflow(h, started.workflowID).steps.last?.attempts == 3)

            // The tasks service comes up where the gateway looks for it; the retried request resumes the workflow.
            let tasksStore = try TasksStore(path: "\(h.directory)/late-tasks.sqlite")
            let lateTasks = TasksService(store: tasksStore, logger: testLogger("tasks"))
            try await withLiveServer(router: lateTasks.makeRouter(), in: h.directory, name: absentTasksName) { _, _ in
                let resumed = try await h.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: a, merged: b), requestID: "give-up-1")
                #expect(resumed.workflowID == started.workflowID)
                #expect(resumed.state == .running)
                var done = GatewayV1.MergeWorkflow()
                try await waitUntil("the resumed workflow is DONE") {
                    done = try await workflow(h, started.workflowID)
                    return done.state == .done || done.state == .failed
                }
                #expect(done.state == .done, "\(done)")
                #expect(done.reason.isEmpty)
            }
        }
    }

    @Test("waits double from the initial delay up to the cap")
    func backoff() {
        var policy = MergeRetryPolicy()
        policy.initialDelay = .milliseconds(100)
        policy.maximumDelay = .seconds(1)
        #expect(policy.delay(afterFailures: 0) == .zero)
        #expect(policy.delay(afterFailures: 1) == .milliseconds(100))
        #expect(policy.delay(afterFailures: 2) == .milliseconds(200))
        #expect(policy.delay(afterFailures: 4) == .milliseconds(800))
        #expect(policy.delay(afterFailures: 5) == .seconds(1))
        #expect(policy.delay(afterFailures: 500) == .seconds(1))
    }
}
