import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ClientsService
import Testing

/// A client's tags, dialogs and merge history are capped where they ride along (card, tag
/// answers, merge records) and paged in full, through the real socket.
@Suite struct ClientListsPagingContractTests {
    private func tagsPage(_ service: ClientsHarness, _ clientID: Int64, size: Int32 = 0, token: String = "") async throws
        -> ClientsV1.ListClientTagsResponse
    {
        var request = ClientsV1.ListClientTagsRequest()
        request.clientID = clientID
        request.pageSize = size
        request.pageToken = token
        return try await service.call(ClientsV1.Clients.listClientTags, request)
    }

    private func dialogsPage(_ service: ClientsHarness, _ clientID: Int64, size: Int32 = 0, token: String = "") async throws
        -> ClientsV1.ListClientDialogsResponse
    {
        var request = ClientsV1.ListClientDialogsRequest()
        request.clientID = clientID
        request.pageSize = size
        request.pageToken = token
        return try await service.call(ClientsV1.Clients.listClientDialogs, request)
    }

    private func mergesPage(_ service: ClientsHarness, _ clientID: Int64, size: Int32 = 0, token: String = "") async throws
        -> ClientsV1.ListMergesResponse
    {
        var request = ClientsV1.ListMergesRequest()
        request.clientID = clientID
        request.pageSize = size
        request.pageToken = token
        return try await service.call(ClientsV1.Clients.listMerges, request)
    }

    private func merge(_ service: ClientsHarness, _ survivor: Int64, _ merged: Int64) async throws -> ClientsV1.MergeRecord {
        var request = ClientsV1.MergeClientsRequest()
        request.survivorClientID = survivor
        request.mergedClientID = merged
        return try await service.call(ClientsV1.Clients.mergeClients, request)
    }

    @Test func aClientsTagsAreCappedOnTheCardAndPagedInFull() async throws {
        try await withClientsService { service in
            let id = try await service.savedClient("tg-1")
            var names: [String] = []
            var lastTagID: Int64 = 0
            for index in 0..<25 {
                let tag = try await service.tag("tag-\(index)")
                try await service.attach(tag.tagID, to: id)
                names.append(tag.name)
                lastTagID = tag.tagID
            }
            // The last one attached is pinned: it comes first everywhere.
            var pin = ClientsV1.PinTagRequest()
            pin.clientID = id
            pin.tagID = lastTagID
            pin.pinned = true
            let pinned = try await service.call(ClientsV1.Clients.pinTag, pin)
            #expect(pinned.tags.count == 20)
            #expect(pinned.tagCount == 25)
            let expected = ["tag-24"] + names.dropLast()

            let card = try await service.card(client: id)
            let client = try #require(card.client)
            #expect(client.tags.count == 20)
            #expect(client.tagCount == 25)
            #expect(client.tags.compactMap { $0.tag?.name } == Array(expected.prefix(20)))

            // Pages of 10: 10, 10, 5, in the card's order, each tag once.
            var seen: [String] = []
            var token = ""
            var pages = 0
            repeat {
                let page = try await tagsPage(service, id, size: 10, token: token)
                #expect(page.tagCount == (pages == 0 ? 25 : 26))
                #expect(page.clientID == id)
                seen += page.tags.compactMap { $0.tag?.name }
                token = page.nextPageToken
                pages += 1
                if pages == 1 {
                    // A tag attached meanwhile goes last: the pages already given stay as they were.
                    let late = try await service.tag("late")
                    try await service.attach(late.tagID, to: id)
                }
            } while !token.isEmpty && pages < 10
            #expect(pages == 3)
            #expect(seen == expected + ["late"])
            // The default page holds them all (50), the largest asked for is 200.
            #expect(try await tagsPage(service, id).tags.count == 26)
            await expectError(.invalidArgument, field: "page_size") { try await tagsPage(service, id, size: 201) }
            await expectError(.invalidArgument, field: "page_token") { try await tagsPage(service, id, token: "bogus") }
        }
    }

    @Test func tagsThatFillTheCardOrAPageExactlyAreCountedAndEndTheList() async throws {
        try await withClientsService { service in
            let id = try await service.savedClient("tg-exact")
            var names: [String] = []
            for index in 0..<20 {
                let tag = try await service.tag("exact-\(index)")
                try await service.attach(tag.tagID, to: id)
                names.append(tag.name)
            }
            // As many tags as the card shows: all of them, counted from the rows read.
            let card = try await service.card(client: id)
            let client = try #require(card.client)
            #expect(client.tags.compactMap { $0.tag?.name } == names)
            #expect(client.tagCount == 20)
            // Two full pages of 10, and no third.
            let first = try await tagsPage(service, id, size: 10)
            #expect(first.tags.count == 10 && first.tagCount == 20 && !first.nextPageToken.isEmpty)
            let second = try await tagsPage(service, id, size: 10, token: first.nextPageToken)
            #expect(second.tags.compactMap { $0.tag?.name } == Array(names.suffix(10)))
            #expect(second.tagCount == 20 && second.nextPageToken.isEmpty)
            // One page that holds them all, and a client with few tags: the rows read are the count.
            let whole = try await tagsPage(service, id, size: 20)
            #expect(whole.tags.count == 20 && whole.tagCount == 20 && whole.nextPageToken.isEmpty)
            let few = try await service.savedClient("tg-few")
            for tag in try await [service.tag("few-1"), service.tag("few-2")] { try await service.attach(tag.tagID, to: few) }
            let fewCard = try #require(try await service.card(client: few).client)
            #expect(fewCard.tags.count == 2 && fewCard.tagCount == 2)
        }
    }

    @Test func aClientsDialogsArePagedAndAMergeRecordListsTheFirst50() async throws {
        try await withClientsService { service in
            let survivor = try await service.savedClient("a-00")
            let merged = try await service.savedClient("b-00")
            var link = ClientsV1.LinkDialogRequest()
            for index in 1..<55 {
                let dialogID = "b-\(index < 10 ? "0" : "")\(index)"
                try await service.dialog(dialogID)
                link.dialogID = dialogID
                link.clientID = merged
                _ = try await service.call(ClientsV1.Clients.linkDialog, link)
            }
            for index in 1..<4 {
                try await service.dialog("a-0\(index)")
                link.dialogID = "a-0\(index)"
                link.clientID = survivor
                _ = try await service.call(ClientsV1.Clients.linkDialog, link)
            }
            let first = try await dialogsPage(service, survivor, size: 3)
            #expect(first.dialogs.map(\.dialogID) == ["a-00", "a-01", "a-02"])
            #expect(first.clientID == survivor)
            let second = try await dialogsPage(service, survivor, size: 3, token: first.nextPageToken)
            #expect(second.dialogs.map(\.dialogID) == ["a-03"])
            #expect(second.nextPageToken.isEmpty)

            let record = try await merge(service, survivor, merged)
            #expect(record.movedDialogCount == 55)
            #expect(record.movedDialogIDs.count == 50)
            #expect(record.movedDialogIDs.first == "b-00")
            // The survivor's 59 dialogs, in pages of 50 by default, each once; a merged id resolves.
            let page = try await dialogsPage(service, merged)
            #expect(page.clientID == survivor)
            #expect(page.dialogs.count == 50)
            let rest = try await dialogsPage(service, survivor, token: page.nextPageToken)
            #expect(rest.dialogs.count == 9)
            #expect(Set((page.dialogs + rest.dialogs).map(\.dialogID)).count == 59)
            #expect(rest.nextPageToken.isEmpty)
            await expectError(.invalidArgument, field: "page_size") { try await dialogsPage(service, survivor, size: -1) }
            await expectError(.invalidArgument, field: "client_id") { try await dialogsPage(service, 0) }
        }
    }

    @Test func mergeHistoryIsPagedNewestFirst() async throws {
        try await withClientsService { service in
            let survivor = try await service.savedClient("d-0")
            var mergeIDs: [Int64] = []
            for index in 1...5 {
                mergeIDs.append(try await merge(service, survivor, try await service.savedClient("d-\(index)")).mergeID)
            }
            let newestFirst = Array(mergeIDs.reversed())
            #expect(try await mergesPage(service, survivor).merges.map(\.mergeID) == newestFirst)
            var seen: [Int64] = []
            var token = ""
            var pages = 0
            repeat {
                let page = try await mergesPage(service, survivor, size: 2, token: token)
                seen += page.merges.map(\.mergeID)
                token = page.nextPageToken
                pages += 1
                if pages == 1 {
                    // A merge made meanwhile is newer than every page: later pages go on as before.
                    _ = try await merge(service, survivor, try await service.savedClient("d-late"))
                }
            } while !token.isEmpty && pages < 10
            #expect(pages == 3)
            #expect(seen == newestFirst)
            await expectError(.invalidArgument, field: "page_size") { try await mergesPage(service, survivor, size: 51) }
            await expectError(.invalidArgument, field: "page_token") { try await mergesPage(service, survivor, token: "c12") }
        }
    }
}
