public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import Foundation
import GRDB

extension GatewayStore {
    /// Records a new merge workflow with its steps, or returns the one already recorded for
    /// `requestID` (a retried request starts nothing new).
    public func createMergeWorkflow(
        survivorClientID: Int64, mergedClientID: Int64, caller: RPCV1.Caller, requestID: String, stepNames: [String]
    ) async throws -> GatewayV1.MergeWorkflow {
        let callerBytes = Data(try caller.serializedBytes())
        return try await database.write { db in
            if !requestID.isEmpty,
                let existing = try String.fetchOne(db, sql: "SELECT id FROM merge_workflow WHERE request_id = ?", arguments: [requestID])
            {
                return try Self.fetchWorkflow(db, id: existing)!
            }
            let id = UUID().uuidString.lowercased()
            let now = UTCMilliseconds.now()
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

    /// The ids of workflows still running (to resume after a restart), oldest first.
    public func runningMergeWorkflowIDs() async throws -> [String] {
        try await database.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM merge_workflow WHERE state = ? ORDER BY created_at_ms",
                arguments: [GatewayV1.WorkflowState.running.rawValue])
        }
    }

    /// The caller a workflow acts for.
    public func mergeWorkflowCaller(id: String) async throws -> RPCV1.Caller {
        try await database.read { db in
            let bytes = try Data.fetchOne(db, sql: "SELECT caller FROM merge_workflow WHERE id = ?", arguments: [id]) ?? Data()
            return try RPCV1.Caller(serializedBytes: [UInt8](bytes))
        }
    }

    /// Records the outcome of one attempt at a step: done, or the error it met. A permanent
    /// error fails the whole workflow; finishing the last step completes it.
    public func recordStepAttempt(workflowID: String, position: Int, error: String?, permanent: Bool) async throws {
        try await database.write { db in
            let now = UTCMilliseconds.now()
            try db.execute(
                sql: """
                    UPDATE merge_workflow_step SET attempts = attempts + 1, done = ?, last_error = ?
                    WHERE workflow_id = ? AND position = ?
                    """,
                arguments: [error == nil, error ?? "", workflowID, position])
            let remaining = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM merge_workflow_step WHERE workflow_id = ? AND done = 0", arguments: [workflowID]) ?? 0
            let state: GatewayV1.WorkflowState = permanent ? .failed : (remaining == 0 ? .done : .running)
            try db.execute(
                sql: "UPDATE merge_workflow SET state = ?, updated_at_ms = ? WHERE id = ?", arguments: [state.rawValue, now, workflowID])
        }
    }

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
        return workflow
    }
}
