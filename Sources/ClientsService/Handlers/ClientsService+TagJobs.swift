import ChatPanelProto
import ChatPanelRPC

extension ClientsService {
    /// PreviewTagJob, StartTagJob, GetTagJob.
    static func registerTagJobMethods(on router: inout RPCRouter, store: ClientsStore) {
        router.register(ClientsV1.Clients.previewTagJob) { request, context in
            try context.require(.adminTags, for: "changing a tag for every client")
            return try await store.previewTagJob(try TagJobRules.validate(request.spec))
        }
        router.register(ClientsV1.Clients.startTagJob) { request, context in
            try context.require(.adminTags, for: "changing a tag for every client")
            let spec = try TagJobRules.validate(request.spec)
            guard request.confirmed else {
                throw RPCError.invalidArgument(field: "confirmed", "the change touches every client with the tag: preview it, then confirm")
            }
            return try await store.startTagJob(spec, by: context.mutation)
        }
        router.register(ClientsV1.Clients.getTagJob) { request, _ in
            var violations = FieldViolations()
            violations.check(request.jobID >= 0, field: "job_id", "must be a job id or 0")
            try violations.throwIfAny()
            return try await store.tagJob(request.jobID)
        }
    }
}
