public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension ClientsStore {
    /// What an admin tag change would touch (TAG-6), and the job that blocks it, if any.
    public func previewTagJob(_ spec: ClientsV1.TagJobSpec) async throws -> ClientsV1.TagJobPreview {
        try await database.read { db in
            let tag = try Self.checkTagJob(db, spec)
            var preview = ClientsV1.TagJobPreview()
            preview.tag = tag
            preview.clientsAffected = tag.clientCount
            preview.confirmation = Self.confirmation(spec, tag: tag)
            preview.runningJob = try Self.activeTagJob(db)
            return preview
        }
    }

    /// Queues an admin tag change and wakes the runner. Refused with `FAILED_PRECONDITION`
    /// naming the job (and carrying it as details) while another job is queued or running. A
    /// deleted tag disappears from autocomplete, cards and filters at once; its links go in
    /// the background.
    public func startTagJob(_ spec: ClientsV1.TagJobSpec, by mutation: Mutation) async throws -> ClientsV1.TagJob {
        let job = try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.startTagJob.path) { db in
            if let running = try Self.activeTagJob(db) {
                throw RPCError(
                    code: .failedPrecondition,
                    message: "tag job \(running.jobID) (\(running.spec?.action.protoName ?? "?") of tag \(running.spec?.tagID ?? 0)) is "
                        + "\(running.state == .queued ? "queued" : "running"); start this change when it ends",
                    details: try running.serializedBytes())
            }
            let tag = try Self.checkTagJob(db, spec)
            try db.run(
                """
                INSERT INTO tag_job (tag_id, action, new_name, new_color, tag_name, state, clients_total, requested_by, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    spec.tagID, spec.action.rawValue, spec.newName, spec.newColor, tag.name, ClientsV1.TagJobState.queued.rawValue,
                    tag.clientCount, mutation.managerID, self.now(),
                ])
            let jobID = db.lastInsertedRowID
            if spec.action == .delete {
                try db.run("UPDATE tag SET deleting = 1 WHERE id = ?", [spec.tagID])
                // The tag leaves every card at once: one change for every client, not one per client.
                try db.recordChanges([.tags, .client], at: self.now())
            }
            return try Self.loadTagJob(db, jobID)!
        }
        tagJobQueued.signal()
        return job
    }

    /// A job by id, or with 0 the queued or running one, else the latest. `NOT_FOUND` when none.
    public func tagJob(_ jobID: Int64) async throws -> ClientsV1.TagJob {
        try await database.read { db in
            let job =
                jobID == 0
                ? try Self.activeTagJob(db) ?? Self.loadTagJob(db, db.value(Int64.self, "SELECT max(id) FROM tag_job") ?? 0)
                : try Self.loadTagJob(db, jobID)
            guard let job else { throw RPCError.notFound(jobID == 0 ? "no tag job has run" : "tag job \(jobID) does not exist") }
            return job
        }
    }

    // MARK: - For the runner

    /// The queued or running job, if any.
    func activeTagJob() async throws -> ClientsV1.TagJob? {
        try await database.read { db in try Self.activeTagJob(db) }
    }

    /// How many jobs are queued or running.
    func pendingTagJobCount() async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tag_job WHERE state IN (1, 2)") ?? 0 }
    }

    /// Does one step of job `jobID` in one transaction and returns the job after it: a rename
    /// or recolor is one step; a delete detaches the tag from at most `batchSize` clients per
    /// step, and deletes the tag itself in the last one. A rename whose name was taken since
    /// the job started fails the job.
    func runTagJobStep(_ jobID: Int64, batchSize: Int) async throws -> ClientsV1.TagJob {
        try await database.write { db in
            guard let job = try Self.loadTagJob(db, jobID), let spec = job.spec else {
                throw RPCError.notFound("tag job \(jobID) does not exist")
            }
            guard job.state == .queued || job.state == .running else { return job }
            let now = self.now()
            if job.state == .queued {
                try db.run(
                    "UPDATE tag_job SET state = ?, started_at_ms = ? WHERE id = ?", [ClientsV1.TagJobState.running.rawValue, now, jobID])
            }
            func finish(done: Int64, error: String = "") throws {
                let state: ClientsV1.TagJobState = error.isEmpty ? .done : .failed
                try db.run(
                    "UPDATE tag_job SET state = ?, clients_done = ?, finished_at_ms = ?, error = ? WHERE id = ?",
                    [state.rawValue, done, now, error, jobID])
            }
            guard try Self.loadTag(db, spec.tagID) != nil else {
                try finish(done: job.clientsDone, error: spec.action == .delete ? "" : "the tag no longer exists")
                return try Self.loadTagJob(db, jobID)!
            }
            switch spec.action {
            case .rename:
                let key = SearchKey.make(spec.newName)
                if try db.value(Int.self, "SELECT 1 FROM tag WHERE name_key = ? AND id <> ?", [key, spec.tagID]) != nil {
                    try finish(done: 0, error: "another tag is named \"\(spec.newName)\" now")
                } else {
                    try db.run("UPDATE tag SET name = ?, name_key = ? WHERE id = ?", [spec.newName, key, spec.tagID])
                    try db.recordChanges([.tags, .client], at: now)
                    try finish(done: job.clientsTotal)
                }
            case .recolor:
                try db.run("UPDATE tag SET color = ? WHERE id = ?", [spec.newColor, spec.tagID])
                try db.recordChanges([.tags, .client], at: now)
                try finish(done: job.clientsTotal)
            case .delete:
                try db.run(
                    """
                    DELETE FROM client_tag WHERE tag_id = ?1 AND client_id IN (
                        SELECT client_id FROM client_tag WHERE tag_id = ?1 ORDER BY client_id LIMIT ?2)
                    """, [spec.tagID, batchSize])
                let removed = Int64(db.changesCount)
                if removed > 0 {
                    try db.run("UPDATE tag SET client_count = max(0, client_count - ?) WHERE id = ?", [removed, spec.tagID])
                    try db.run("UPDATE tag_job SET clients_done = clients_done + ? WHERE id = ?", [removed, jobID])
                } else {
                    try db.run("DELETE FROM tag WHERE id = ?", [spec.tagID])
                    try finish(done: job.clientsDone)
                }
            case .unspecified, .unrecognized:
                try finish(done: 0, error: "unknown action")
            }
            return try Self.loadTagJob(db, jobID)!
        }
    }

    /// Marks a job failed for good.
    func failTagJob(_ jobID: Int64, reason: String) async throws {
        try await database.write { db in
            try db.run(
                "UPDATE tag_job SET state = ?, finished_at_ms = ?, error = ? WHERE id = ? AND state IN (1, 2)",
                [ClientsV1.TagJobState.failed.rawValue, self.now(), reason, jobID])
        }
    }

    // MARK: - Inside transactions

    /// The tag a job would change, after the checks every job needs: `NOT_FOUND`, a tag being
    /// deleted (`FAILED_PRECONDITION`), a new name taken by another tag (`ALREADY_EXISTS`).
    static func checkTagJob(_ db: Database, _ spec: ClientsV1.TagJobSpec) throws -> ClientsV1.Tag {
        guard let tag = try loadTag(db, spec.tagID) else { throw RPCError.notFound("tag \(spec.tagID) does not exist") }
        if tag.deleting { throw RPCError.failedPrecondition("tag \(spec.tagID) is being deleted") }
        if spec.action == .rename,
            try db.value(Int.self, "SELECT 1 FROM tag WHERE name_key = ? AND id <> ?", [SearchKey.make(spec.newName), spec.tagID]) != nil
        {
            throw RPCError.alreadyExists("another tag is named \"\(spec.newName)\"")
        }
        return tag
    }

    /// The confirmation text of TAG-6.
    static func confirmation(_ spec: ClientsV1.TagJobSpec, tag: ClientsV1.Tag) -> String {
        let what =
            switch spec.action {
            case .rename: "Renaming tag \"\(tag.name)\" to \"\(spec.newName)\""
            case .recolor: "Recoloring tag \"\(tag.name)\" to \(spec.newColor)"
            default: "Deleting tag \"\(tag.name)\""
            }
        return "\(what) changes \(tag.clientCount) client\(tag.clientCount == 1 ? "" : "s") and runs in the background; "
            + "no other tag can be renamed, recolored or deleted until it ends."
    }

    /// The queued or running job, inside a transaction.
    static func activeTagJob(_ db: Database) throws -> ClientsV1.TagJob? {
        guard let id = try db.value(Int64.self, "SELECT id FROM tag_job WHERE state IN (1, 2) ORDER BY id LIMIT 1") else { return nil }
        return try loadTagJob(db, id)
    }

    /// A job by id.
    static func loadTagJob(_ db: Database, _ jobID: Int64) throws -> ClientsV1.TagJob? {
        guard let row = try db.row("SELECT * FROM tag_job WHERE id = ?", [jobID]) else { return nil }
        var spec = ClientsV1.TagJobSpec()
        spec.tagID = row["tag_id"]
        spec.action = ClientsV1.TagJobAction(rawValue: row["action"])
        spec.newName = row["new_name"]
        spec.newColor = row["new_color"]
        var job = ClientsV1.TagJob()
        job.jobID = row["id"]
        job.spec = spec
        job.tagName = row["tag_name"]
        job.state = ClientsV1.TagJobState(rawValue: row["state"])
        job.clientsTotal = row["clients_total"]
        job.clientsDone = row["clients_done"]
        job.requestedBy = row["requested_by"]
        job.createdAtMs = row["created_at_ms"]
        job.startedAtMs = row["started_at_ms"]
        job.finishedAtMs = row["finished_at_ms"]
        job.error = row["error"]
        return job
    }
}
