import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelTesting
import ClientsService
import GRDB
import Testing

/// Administrators' rename, recolor and delete of tags as background jobs (TAG-6), through the
/// real socket.
@Suite struct TagJobContractTests {
    private func spec(_ tagID: Int64, _ action: ClientsV1.TagJobAction, name: String = "", color: String = "") -> ClientsV1.TagJobSpec {
        var spec = ClientsV1.TagJobSpec()
        spec.tagID = tagID
        spec.action = action
        spec.newName = name
        spec.newColor = color
        return spec
    }

    private func start(_ service: ClientsHarness, _ spec: ClientsV1.TagJobSpec, requestID: String = "") async throws -> ClientsV1.TagJob {
        var request = ClientsV1.StartTagJobRequest()
        request.spec = spec
        request.confirmed = true
        return try await service.call(ClientsV1.Clients.startTagJob, request, as: As.tagAdmin, requestID: requestID)
    }

    private func job(_ service: ClientsHarness, _ id: Int64) async throws -> ClientsV1.TagJob {
        var request = ClientsV1.GetTagJobRequest()
        request.jobID = id
        return try await service.call(ClientsV1.Clients.getTagJob, request)
    }

    /// `count` saved clients carrying a new tag "Old".
    private func taggedClients(_ service: ClientsHarness, count: Int) async throws -> (tag: ClientsV1.Tag, clients: [Int64]) {
        let tag = try await service.tag("Old")
        var clients: [Int64] = []
        for index in 0..<count {
            let id = try await service.savedClient("d\(index)", name: "Клиент \(index)")
            try await service.attach(tag.tagID, to: id)
            clients.append(id)
        }
        return (tag, clients)
    }

    @Test func thePreviewSaysHowManyClientsTheChangeTouches() async throws {
        try await withClientsService { service in
            let (tag, _) = try await taggedClients(service, count: 3)
            var request = ClientsV1.PreviewTagJobRequest()
            request.spec = spec(tag.tagID, .delete)
            let preview = try await service.call(ClientsV1.Clients.previewTagJob, request, as: As.tagAdmin)
            #expect(preview.clientsAffected == 3)
            #expect(preview.tag?.name == "Old")
            #expect(preview.confirmation.contains("3 clients"))
            #expect(preview.runningJob == nil)
            await expectError(.permissionDenied) { try await service.call(ClientsV1.Clients.previewTagJob, request, as: As.editor) }
            request.spec = spec(999, .delete)
            await expectError(.notFound) { try await service.call(ClientsV1.Clients.previewTagJob, request, as: As.tagAdmin) }
        }
    }

    @Test func startingValidatesAndNeedsConfirmation() async throws {
        try await withClientsService { service in
            let tag = try await service.tag("Old")
            _ = try await service.tag("Taken")
            var request = ClientsV1.StartTagJobRequest()
            request.spec = spec(tag.tagID, .delete)
            await expectError(.invalidArgument, field: "confirmed") {
                try await service.call(ClientsV1.Clients.startTagJob, request, as: As.tagAdmin)
            }
            request.confirmed = true
            await expectError(.permissionDenied) { try await service.call(ClientsV1.Clients.startTagJob, request, as: As.editor) }
            request.spec = spec(tag.tagID, .rename, name: " ")
            await expectError(.invalidArgument, field: "spec.new_name") {
                try await service.call(ClientsV1.Clients.startTagJob, request, as: As.tagAdmin)
            }
            request.spec = spec(tag.tagID, .recolor, color: "red")
            await expectError(.invalidArgument, field: "spec.new_color") {
                try await service.call(ClientsV1.Clients.startTagJob, request, as: As.tagAdmin)
            }
            request.spec = spec(0, .unspecified)
            let error = await expectError(.invalidArgument) {
                try await service.call(ClientsV1.Clients.startTagJob, request, as: As.tagAdmin)
            }
            #expect(Set(error?.violations.map(\.field) ?? []) == ["spec.tag_id", "spec.action"])
            request.spec = spec(tag.tagID, .rename, name: "TAKEN")
            await expectError(.alreadyExists) { try await service.call(ClientsV1.Clients.startTagJob, request, as: As.tagAdmin) }
            await expectError(.invalidArgument, field: "spec") {
                try await service.call(ClientsV1.Clients.startTagJob, ClientsV1.StartTagJobRequest(), as: As.tagAdmin)
            }
            await expectError(.notFound) { try await job(service, 0) }
        }
    }

    @Test func aSecondJobIsRefusedWhileOneIsQueued() async throws {
        // No runner: the first job stays queued.
        try await withClientsService { service in
            let (tag, clients) = try await taggedClients(service, count: 2)
            let other = try await service.tag("Other")
            let first = try await start(service, spec(tag.tagID, .delete), requestID: "job-1")
            #expect(first.state == .queued)
            #expect(first.clientsTotal == 2)
            var request = ClientsV1.StartTagJobRequest()
            request.spec = spec(other.tagID, .recolor, color: "#000000")
            request.confirmed = true
            let error = await expectError(.failedPrecondition) {
                try await service.call(ClientsV1.Clients.startTagJob, request, as: As.tagAdmin)
            }
            #expect(error?.message.contains("tag job \(first.jobID)") == true)
            #expect(error?.decodedDetails(as: ClientsV1.TagJob.self)?.jobID == first.jobID)
            var preview = ClientsV1.PreviewTagJobRequest()
            preview.spec = request.spec
            #expect(try await service.call(ClientsV1.Clients.previewTagJob, preview, as: As.tagAdmin).runningJob?.jobID == first.jobID)
            // A retry of the first start answers with the same job rather than refusing.
            #expect(try await start(service, spec(tag.tagID, .delete), requestID: "job-1") == first)
            // The tag being deleted is gone from reads at once; tagging with other tags goes on.
            let card = try await service.card(client: clients[0])
            #expect(card.client?.tags.isEmpty == true)
            var complete = ClientsV1.AutocompleteTagsRequest()
            complete.query = "old"
            #expect(try await service.call(ClientsV1.Clients.autocompleteTags, complete).tags.isEmpty)
            #expect(try await service.attach(other.tagID, to: clients[0]).tags.count == 1)
            await expectError(.failedPrecondition) { try await service.attach(tag.tagID, to: clients[0]) }
            #expect(try await job(service, 0).jobID == first.jobID)
        }
    }

    @Test func aDeleteRunsInBatchesAndFinishes() async throws {
        var runner = TagJobRunner.Configuration()
        runner.batchSize = 4
        try await withClientsService(runner: runner) { service in
            let (tag, clients) = try await taggedClients(service, count: 10)
            let keep = try await service.tag("Keep")
            try await service.attach(keep.tagID, to: clients[0])
            let started = try await start(service, spec(tag.tagID, .delete), requestID: "delete-old")
            var finished = started
            try await waitUntil {
                finished = try await job(service, started.jobID)
                return finished.state == .done
            }
            #expect(finished.clientsDone == 10)
            #expect(finished.clientsTotal == 10)
            #expect(finished.finishedAtMs >= finished.startedAtMs)
            #expect(finished.requestedBy == As.tagAdmin.managerID)
            var get = ClientsV1.GetTagRequest()
            get.tagID = tag.tagID
            await expectError(.notFound) { try await service.call(ClientsV1.Clients.getTag, get) }
            #expect(try await service.card(client: clients[0]).client?.tags.map { $0.tag?.name } == ["Keep"])
            // Once it ended, another job may start; the retried start still answers the first job.
            #expect(try await start(service, spec(tag.tagID, .delete), requestID: "delete-old").jobID == started.jobID)
            let rename = try await start(service, spec(keep.tagID, .rename, name: "Kept"))
            try await waitUntil { try await job(service, rename.jobID).state == .done }
            #expect(try await service.card(client: clients[0]).client?.tags.first?.tag?.name == "Kept")

            // The runner counts its runs and its queue (other suites in this process only add to
            // the counter).
            let done = #"chatpanel_jobs_runs_total{job="tag_job",outcome="done"} "#
            try await waitUntil {
                let text = try await service.call(MetricsV1.Metrics.scrape, MetricsV1.ScrapeRequest()).text
                let line = text.split(separator: "\n").first { $0.hasPrefix(done) }
                return (line.flatMap { Double($0.dropFirst(done.count)) } ?? 0) >= 2 && text.contains(#"chatpanel_jobs_queued{job="tag_job"}"#)
            }
        }
    }

    @Test func renameAndRecolorApplyToEveryClient() async throws {
        try await withClientsService(runner: TagJobRunner.Configuration()) { service in
            let (tag, clients) = try await taggedClients(service, count: 2)
            let recolor = try await start(service, spec(tag.tagID, .recolor, color: "#123ABC"))
            try await waitUntil { try await job(service, recolor.jobID).state == .done }
            let rename = try await start(service, spec(tag.tagID, .rename, name: "Новое имя"))
            try await waitUntil { try await job(service, rename.jobID).state == .done }
            for client in clients {
                let tags = try await service.card(client: client).client?.tags ?? []
                #expect(tags.first?.tag?.name == "Новое имя")
                #expect(tags.first?.tag?.color == "#123abc")
            }
        }
    }

    @Test func aJobInterruptedByClosingTheStoreFinishesAfterReopening() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/clients.sqlite"
            let total = 12
            var jobID: Int64 = 0
            do {
                let store = try ClientsStore(path: path)
                let tag = try await store.createTag(named: "Old", by: Mutation(managerID: 1))
                for index in 0..<total {
                    var contact = ClientsV1.UpsertDialogRequest()
                    contact.dialogID = "d\(index)"
                    contact.channel = "telegram"
                    _ = try await store.upsertDialog(try DialogContact(validating: contact, phoneRegion: "RU"), by: Mutation(managerID: 1))
                    let card = try await store.saveClientFromDialog("d\(index)", overrides: NameOverrides(), by: Mutation(managerID: 1))
                    _ = try await store.attachTag(tag.tagID, toClient: card.client!.clientID, by: Mutation(managerID: 1))
                }
                var spec = ClientsV1.TagJobSpec()
                spec.tagID = tag.tagID
                spec.action = .delete
                jobID = try await store.startTagJob(spec, by: Mutation(managerID: 1)).jobID

                // Run two batches of 3, then stop the runner as a crash would, mid-job.
                let (batches, batch) = AsyncStream.makeStream(of: ClientsV1.TagJob.self)
                var configuration = TagJobRunner.Configuration()
                configuration.batchSize = 3
                configuration.onProgress = { job in
                    batch.yield(job)
                    if job.clientsDone >= 6 { try? await Task.sleep(for: .seconds(3600)) }
                }
                let runner = TagJobRunner(store: store, configuration: configuration, logger: testLogger("tag-jobs"))
                await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await runner.run() }
                    for await job in batches where job.clientsDone >= 6 { break }
                    group.cancelAll()
                }
                let interrupted = try await store.tagJob(jobID)
                #expect(interrupted.state == .running)
                #expect(interrupted.clientsDone == 6)
            }
            // The store is closed; open it again, as a restarted process would.
            let reopened = try ClientsStore(path: path)
            let runner = TagJobRunner(store: reopened, logger: testLogger("tag-jobs"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run() }
                try await waitUntil { try await reopened.tagJob(jobID).state == .done }
                group.cancelAll()
            }
            let done = try await reopened.tagJob(jobID)
            #expect(done.clientsDone == Int64(total))
            let remaining = try await reopened.database.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM client_tag") ?? -1
            }
            #expect(remaining == 0)
        }
    }
}
