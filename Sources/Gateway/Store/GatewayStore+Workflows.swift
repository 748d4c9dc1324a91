public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import Foundation
import GRDB

extension GatewayStore {
    /// How one attempt at a merge step ended.
    public enum StepOutcome: Sendable {
        /// The step is done.
        case done
        /// It met a passing failure; the next attempt is due at `nextAttemptAtMs`.
        case retrying(error: String, nextAttemptAtMs: Int64)
        /// The workflow fails here: `reason` says why; `gaveUp` when the error was a passing one
        /// met too often (a retried request may resume it).
        case failed(error: String, reason: String, gaveUp: Bool)
    }

    /// Records a new merge workflow with its steps, or returns the one already recorded for
    /// `requestID` (a retried request starts nothing new). A recorded workflow that gave up on
    /// an unreachable service is resumed: RUNNING again from its failed step, with fresh attempts.
    public func createMergeWorkflow(
        survivorClientID: Int64, mergedClientID: Int64, caller: RPCV1.Caller, requestID: String, stepNames: [String]
    ) async throws -> GatewayV1.MergeWorkflow {
        let callerBytes = Data(try caller.serializedBytes())
        return try await database.write { db in
            let now = self.now()
            if !requestID.isEmpty,
                let existing = try Row.fetchOne(
                    db, sql: "SELECT id, gave_up FROM merge_workflow WHERE request_id = ?", arguments: [requestID])
            {
                let id: String = existing["id"]
                if existing["gave_up"] as Bool {
                    try db.execute(
                        sql: """
                            UPDATE merge_workflow SET state = ?, reason = '', next_attempt_at_ms = 0, gave_up = 0, updated_at_ms = ?
                            WHERE id = ?
                            """,
                        arguments: [GatewayV1.WorkflowState.running.rawValue, now, id])
                    try db.execute(sql: "UPDATE merge_workflow_step SET attempts = 0 WHERE workflow_id = ? AND done = 0", arguments: [id])
                }
                return try Self.fetchWorkflow(db, id: id)!
            }
            let id = UUID().uuidString.lowercased()
            try db.execute(
                sql: """
                    INSERT INTO merge_workflow (id, request_id, survivor_client_id, merged_client_id, manager_id, caller, state,
                        created_at_ms, updated_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, requestID.isEmpty ? nil : requestID, survivorClientID, mergedClientID, caller.managerID, callerBytes,
                    GatewayV1.WorkflowState.running.rawValue, now, now,
                ])
            for (position, name) in stepNames.enumerated() {
                try db.execute(
                    sql: "INSERT INTO merge_workflow_step (workflow_id, position, name) VALUES (?, ?, ?)", arguments: [id, position, name])
            }
            return try Self.fetchWorkflow(db, id: id)!
        }
    }

    /// A workflow with its steps; nil when unknown.
    public func mergeWorkflow(id: String) async throws -> GatewayV1.MergeWorkflow? {
        try await database.read { db in try Self.fetchWorkflow(db, id: id) }
    }

    /// The ids of workflows still to finish (RUNNING or RETRYING), to resume after a restart, oldest first.
    public func unfinishedMergeWorkflowIDs() async throws -> [String] {
        try await database.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM merge_workflow WHERE state IN (?, ?) ORDER BY created_at_ms",
                arguments: [GatewayV1.WorkflowState.running.rawValue, GatewayV1.WorkflowState.retrying.rawValue])
        }
    }

    /// The caller a workflow acts for.
    public func mergeWorkflowCaller(id: String) async throws -> RPCV1.Caller {
        try await database.read { db in
            let bytes = try Data.fetchOne(db, sql: "SELECT caller FROM merge_workflow WHERE id = ?", arguments: [id]) ?? Data()
            return try RPCV1.Caller(serializedBytes: [UInt8](bytes))
        }
    }

    /// Records the outcome of one attempt at a step; finishing the last step completes the workflow.
    public func recordStepAttempt(workflowID: String, position: Int, outcome: StepOutcome) async throws {
        try await database.write { db in
            let now = self.now()
            let error: String
            switch outcome {
            case .done: error = ""
            case .retrying(let message, _), .failed(let message, _, _): error = message
            }
            try db.execute(
                sql: """
                    UPDATE merge_workflow_step SET attempts = attempts + 1, done = ?, last_error = ?
                    WHERE workflow_id = ? AND position = ?
                    """,
                arguments: [{ if case .done = outcome { true } else { false } }(), error, workflowID, position])
            let state: GatewayV1.WorkflowState
            var reason = ""
            var nextAttemptAt: Int64 = 0
            var gaveUp = false
            switch outcome {
            case .done:
                let remaining =
                    try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM merge_workflow_step WHERE workflow_id = ? AND done = 0", arguments: [workflowID])
                    ?? 0
                state = remaining == 0 ? .done : .running
            case .retrying(let message, let next):
                state = .retrying
                reason = message
                nextAttemptAt = next
            case .failed(_, let why, let gave):
                state = .failed
                reason = why
                gaveUp = gave
            }
            try db.execute(
                sql: """
                    UPDATE merge_workflow SET state = ?, reason = ?, next_attempt_at_ms = ?, gave_up = ?, updated_at_ms = ?
                    WHERE id = ?
                    """,
                arguments: [state.rawValue, reason, nextAttemptAt, gaveUp, now, workflowID])
        }
    }

    /// A workflow with its steps, read in `db`; nil when unknown.
    static func fetchWorkflow(_ db: Database, id: String) throws -> GatewayV1.MergeWorkflow? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM merge_workflow WHERE id = ?", arguments: [id]) else { return nil }
        var workflow = GatewayV1.MergeWorkflow()
        workflow.workflowID = row["id"]
        workflow.survivorClientID = row["survivor_client_id"]
        workflow.mergedClientID = row["merged_client_id"]
        workflow.managerID = row["manager_id"]
        workflow.state = GatewayV1.WorkflowState(rawValue: row["state"])
        workflow.createdAtMs = row["created_at_ms"]
        workflow.updatedAtMs = row["updated_at_ms"]
        workflow.reason = row["reason"]
        workflow.nextAttemptAtMs = row["next_attempt_at_ms"]
        workflow.steps = try Row.fetchAll(
            db, sql: "SELECT * FROM merge_workflow_step WHERE workflow_id = ? ORDER BY position", arguments: [id]
        ).map { step in
            var s = GatewayV1.WorkflowStep()
            s.name = step["name"]
            s.done = step["done"]
            s.attempts = UInt32(step["attempts"] as Int64)
            s.lastError = step["last_error"]
            return s
        }
        // The current step: the first not done (the failed one when FAILED), else the last.
        workflow.attempts = (workflow.steps.first { !$0.done } ?? workflow.steps.last)?.attempts ?? 0
        return workflow
    }
}
