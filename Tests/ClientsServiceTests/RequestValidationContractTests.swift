import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ClientsService
import Testing

/// The remaining per-field refusals of every method, one call each, through the real socket:
/// each names the offending field in an INVALID_ARGUMENT and writes nothing.
@Suite struct RequestValidationContractTests {
    @Test func everyMethodNamesItsBadFields() async throws {
        try await withClientsService { service in
            let client = try await service.savedClient("tg-1")
            await expectError(.invalidArgument, field: "phones.numbers") {
                try await service.update(client) { request in
                    var phones = ClientsV1.PhoneList()
                    phones.numbers = (0..<11).map { "+7 900 000 00 \(10 + $0)" }
                    request.phones = phones
                }
            }
            await expectError(.invalidArgument, field: "dialog_id") {
                try await service.update(client) { $0.dialogID = "a\nb" }
            }
            var apply = ClientsV1.ApplyFragmentRequest()
            apply.target = .firstName
            apply.fragment = "Иван"
            await expectError(.invalidArgument, field: "client_id") { try await service.call(ClientsV1.Clients.applyFragment, apply) }
            apply.target = .productQuery
            apply.fragment = " «» "
            await expectError(.invalidArgument, field: "fragment") { try await service.call(ClientsV1.Clients.applyFragment, apply) }

            var save = ClientsV1.SaveClientFromDialogRequest()
            save.dialogID = "tg-1"
            save.firstName = String(repeating: "и", count: 201)
            await expectError(.invalidArgument, field: "first_name") {
                try await service.call(ClientsV1.Clients.saveClientFromDialog, save)
            }

            var merges = ClientsV1.ListMergesRequest()
            merges.clientID = 0
            await expectError(.invalidArgument, field: "client_id") { try await service.call(ClientsV1.Clients.listMerges, merges) }
            merges.clientID = 999
            await expectError(.notFound) { try await service.call(ClientsV1.Clients.listMerges, merges) }

            var duplicates = ClientsV1.ListDuplicatesRequest()
            duplicates.target = .clientID(-3)
            await expectError(.invalidArgument, field: "client_id") { try await service.call(ClientsV1.Clients.listDuplicates, duplicates) }
            duplicates.target = .dialogID("")
            await expectError(.invalidArgument, field: "dialog_id") { try await service.call(ClientsV1.Clients.listDuplicates, duplicates) }

            var tag = ClientsV1.GetTagRequest()
            tag.tagID = 0
            await expectError(.invalidArgument, field: "tag_id") { try await service.call(ClientsV1.Clients.getTag, tag) }
            var job = ClientsV1.GetTagJobRequest()
            job.jobID = -1
            await expectError(.invalidArgument, field: "job_id") { try await service.call(ClientsV1.Clients.getTagJob, job) }
            job.jobID = 77
            await expectError(.notFound) { try await service.call(ClientsV1.Clients.getTagJob, job) }
            var preview = ClientsV1.PreviewTagJobRequest()
            await expectError(.invalidArgument, field: "spec") {
                try await service.call(ClientsV1.Clients.previewTagJob, preview, as: As.tagAdmin)
            }
            var spec = ClientsV1.TagJobSpec()
            spec.tagID = 1
            spec.action = .rename
            preview.spec = spec
            await expectError(.invalidArgument, field: "spec.new_name") {
                try await service.call(ClientsV1.Clients.previewTagJob, preview, as: As.tagAdmin)
            }

            var search = ClientsV1.SearchFieldsRequest()
            search.limit = 101
            search.clientID = -1
            search.query = String(repeating: "q", count: 101)
            let error = await expectError(.invalidArgument) { try await service.call(ClientsV1.Clients.searchFields, search) }
            #expect(Set(error?.violations.map(\.field) ?? []) == ["limit", "client_id", "query"])
            var value = ClientsV1.SetFieldValueRequest()
            value.clientID = client
            value.code = "birthday"
            value.value = String(repeating: "1", count: 10_001)
            await expectError(.invalidArgument, field: "value") { try await service.call(ClientsV1.Clients.setFieldValue, value) }
            var pin = ClientsV1.PinFieldRequest()
            await expectError(.invalidArgument, field: "code") { try await service.call(ClientsV1.Clients.pinField, pin) }
            pin.code = "birthday"
            #expect(try await service.call(ClientsV1.Clients.pinField, pin).orderedCodes == ["birthday"])
            var reorder = ClientsV1.ReorderFieldsRequest()
            reorder.codes = [""]
            await expectError(.invalidArgument, field: "codes[0]") { try await service.call(ClientsV1.Clients.reorderFields, reorder) }

            var dialogs = ClientsV1.ListDialogsRequest()
            dialogs.tagIDs = [1]
            dialogs.pageSize = -1
            dialogs.match = .unrecognized(9)
            let listError = await expectError(.invalidArgument) { try await service.call(ClientsV1.Clients.listDialogs, dialogs) }
            #expect(Set(listError?.violations.map(\.field) ?? []) == ["page_size", "match"])

            // Nothing above was written.
            let card = try await service.card(client: client)
            #expect(card.client?.firstName == "Иван")
            #expect(card.client?.phones.isEmpty == true)
            #expect(card.fields.isEmpty)
        }
    }
}
