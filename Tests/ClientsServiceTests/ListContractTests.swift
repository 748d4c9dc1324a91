import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ClientsService
import Testing

/// Client and dialog lists filtered by tags and searches, with paging (TAG-1).
@Suite struct ListContractTests {
    /// Six clients (ids 1…6) with dialogs; tags: A on 1,2,3,4; B on 2,4,6.
    private func seed(_ service: ClientsHarness) async throws -> (a: Int64, b: Int64, clients: [Int64]) {
        var clients: [Int64] = []
        for index in 1...6 {
            clients.append(
                try await service.savedClient("d\(index)", name: "Клиент\(index) Фамилия\(index)", phone: "+7 900 000 00 0\(index)"))
        }
        let a = try await service.tag("A").tagID
        let b = try await service.tag("B").tagID
        for index in [0, 1, 2, 3] { try await service.attach(a, to: clients[index]) }
        for index in [1, 3, 5] { try await service.attach(b, to: clients[index]) }
        return (a, b, clients)
    }

    private func list(
        _ service: ClientsHarness, tags: [Int64] = [], match: ClientsV1.TagMatch = .all, query: String = "", pageSize: Int32 = 0,
        token: String = ""
    ) async throws -> ClientsV1.ListClientsResponse {
        var request = ClientsV1.ListClientsRequest()
        request.tagIDs = tags
        request.match = match
        request.query = query
        request.pageSize = pageSize
        request.pageToken = token
        return try await service.call(ClientsV1.Clients.listClients, request, as: As.viewer)
    }

    @Test func filtersClientsByAllOrAnyTagNewestFirst() async throws {
        try await withClientsService { service in
            let (a, b, c) = try await seed(service)
            #expect(try await list(service, tags: [a]).clients.map(\.clientID) == [c[3], c[2], c[1], c[0]])
            #expect(try await list(service, tags: [a, b]).clients.map(\.clientID) == [c[3], c[1]])
            #expect(try await list(service, tags: [a, b], match: .any).clients.map(\.clientID) == [c[5], c[3], c[2], c[1], c[0]])
            #expect(try await list(service).clients.count == 6)
            #expect(try await list(service, tags: [999]).clients.isEmpty)
            #expect(try await list(service, tags: [a, 999], match: .any).clients.count == 4)
        }
    }

    @Test func pagesThroughEveryClientOnce() async throws {
        try await withClientsService { service in
            let (a, b, c) = try await seed(service)
            for (tags, match) in [([Int64](), ClientsV1.TagMatch.all), ([a], .all), ([a, b], .any)] {
                var seen: [Int64] = []
                var token = ""
                repeat {
                    let page = try await list(service, tags: tags, match: match, pageSize: 2, token: token)
                    #expect(page.clients.count <= 2)
                    seen += page.clients.map(\.clientID)
                    token = page.nextPageToken
                } while !token.isEmpty
                #expect(seen == seen.sorted(by: >))
                #expect(Set(seen).count == seen.count)
                #expect(seen.count == (tags.isEmpty ? c.count : match == .any ? 5 : 4))
            }
        }
    }

    @Test func searchesByPhoneEmailAndName() async throws {
        try await withClientsService { service in
            let (a, _, c) = try await seed(service)
            #expect(try await list(service, query: "8 900 000-00-03").clients.map(\.clientID) == [c[2]])
            _ = try await service.update(c[4]) { $0.email = "five@example.com" }
            #expect(try await list(service, query: "FIVE@example.com").clients.map(\.clientID) == [c[4]])
            let byName = try await list(service, query: "фамилия", pageSize: 4)
            #expect(byName.clients.map(\.displayName) == (1...4).map { "Фамилия\($0) Клиент\($0)" })
            let rest = try await list(service, query: "фамилия", pageSize: 4, token: byName.nextPageToken)
            #expect(rest.clients.count == 2)
            #expect(rest.nextPageToken.isEmpty)
            #expect(try await list(service, tags: [a], query: "фамилия5").clients.isEmpty)
            #expect(try await list(service, tags: [a], query: "фамилия4").clients.map(\.clientID) == [c[3]])
            // A token of one list does not fit another.
            await expectError(.invalidArgument, field: "page_token") { try await list(service, pageSize: 1, token: byName.nextPageToken) }
        }
    }

    @Test func listValidation() async throws {
        try await withClientsService { service in
            await expectError(.invalidArgument, field: "page_size") { try await list(service, pageSize: 201) }
            await expectError(.invalidArgument, field: "tag_ids") { try await list(service, tags: Array(1...11)) }
            await expectError(.invalidArgument, field: "tag_ids[0]") { try await list(service, tags: [0]) }
            await expectError(.invalidArgument, field: "page_token") { try await list(service, token: "x") }
            await expectError(.invalidArgument, field: "query") { try await list(service, query: "@bad") }
            await expectError(.invalidArgument, field: "tag_ids") {
                try await service.call(ClientsV1.Clients.listDialogs, ClientsV1.ListDialogsRequest())
            }
        }
    }

    private func dialogPage(_ service: ClientsHarness, tags: [Int64], token: String) async throws -> ClientsV1.ListDialogsResponse {
        var request = ClientsV1.ListDialogsRequest()
        request.tagIDs = tags
        request.match = .any
        request.pageSize = 2
        request.pageToken = token
        return try await service.call(ClientsV1.Clients.listDialogs, request)
    }

    @Test func filtersDialogsByTheirClientsTags() async throws {
        // (A method rather than a closure: Swift 6.3.1's region analysis crashes on this body as a closure.)
        try await withClientsService { service in try await checkDialogFilters(service) }
    }

    private func checkDialogFilters(_ service: ClientsHarness) async throws {
        do {
            let (a, b, c) = try await seed(service)
            // A second dialog of client 4.
            try await service.dialog("d4-bis", name: "Клиент4")
            var link = ClientsV1.LinkDialogRequest()
            link.dialogID = "d4-bis"
            link.clientID = c[3]
            _ = try await service.call(ClientsV1.Clients.linkDialog, link)

            var request = ClientsV1.ListDialogsRequest()
            request.tagIDs = [a, b]
            let both = try await service.call(ClientsV1.Clients.listDialogs, request)
            #expect(both.dialogs.map { $0.dialog?.dialogID } == ["d4", "d4-bis", "d2"])
            #expect(both.dialogs.first?.client?.clientID == c[3])

            var seen: [String] = []
            var token = ""
            for _ in 0..<10 {
                let page = try await dialogPage(service, tags: [a, b], token: token)
                #expect(page.dialogs.count <= 2)
                seen += page.dialogs.compactMap { $0.dialog?.dialogID }
                token = page.nextPageToken
                if token.isEmpty { break }
            }
            #expect(seen == ["d6", "d4", "d4-bis", "d3", "d2", "d1"])
        }
    }
}
