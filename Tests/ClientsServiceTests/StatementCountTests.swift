import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ClientsService
import GRDB
import Synchronization
import Testing

/// The card and the field search read their fields in a fixed number of statements, however
/// many fields there are: a regression to a query per field fails here. Statements are counted
/// on the store's read-only connections (SQLite's trace), under real calls over the socket.
@Suite struct StatementCountTests {
    /// Counts the statements a connection starts.
    final class StatementCounter: Sendable {
        private let count = Mutex(0)

        /// One more statement.
        func add() { count.withLock { $0 += 1 } }

        /// The count since the last call, starting again from zero.
        func take() -> Int {
            count.withLock { value in
                defer { value = 0 }; return value
            }
        }
    }

    /// Traces every read-only connection as it opens: the event loops' own, where the RPC
    /// handlers read, and the pool's readers.
    private static func tracingReads(into counter: StatementCounter) -> StoreConfiguration {
        var configuration = StoreConfiguration()
        configuration.prepareDatabase = { db in
            guard db.configuration.readonly else { return }
            db.trace { event in
                if case .statement = event { counter.add() }
            }
        }
        return configuration
    }

    private func define(_ service: ClientsHarness, _ code: String, _ type: ClientsV1.FieldType) async throws {
        var request = ClientsV1.CreateFieldRequest()
        request.code = code
        request.name = "Поле \(code)"
        request.type = type
        request.editable = true
        if type == .dictionary {
            request.options = ["one", "two"].map { code in
                var option = ClientsV1.FieldOption()
                option.code = code
                option.name = code.uppercased()
                return option
            }
        }
        _ = try await service.call(ClientsV1.Clients.createField, request, as: As.admin)
    }

    private func fill(_ service: ClientsHarness, _ clientID: Int64, _ code: String, pin: Bool) async throws {
        var value = ClientsV1.SetFieldValueRequest()
        value.clientID = clientID
        value.code = code
        value.value = code == "birthday" ? "1990-01-01" : code.hasPrefix("d") ? "two" : "значение"
        _ = try await service.call(ClientsV1.Clients.setFieldValue, value)
        if pin {
            var request = ClientsV1.PinFieldRequest()
            request.code = code
            request.pinned = true
            _ = try await service.call(ClientsV1.Clients.pinField, request)
        }
    }

    /// Statements of a card by client, a card by dialog and a field search with values.
    private func statements(_ service: ClientsHarness, _ counter: StatementCounter, _ clientID: Int64) async throws -> [Int] {
        _ = counter.take()
        let byClient = try await service.card(client: clientID)
        let cardCount = counter.take()
        _ = try await service.card(dialog: "tg-1")
        let dialogCount = counter.take()
        let searchCount = try await searchStatements(service, counter, clientID)
        #expect(!byClient.fields.isEmpty)
        return [cardCount, dialogCount, searchCount]
    }

    /// Statements of a field search for `query` with a client's values; `expected` fields match.
    private func searchStatements(
        _ service: ClientsHarness, _ counter: StatementCounter, _ clientID: Int64, query: String = "", expected: Int = 20
    ) async throws -> Int {
        _ = counter.take()
        var search = ClientsV1.SearchFieldsRequest()
        search.clientID = clientID
        search.query = query
        search.limit = 100
        let found = try await service.call(ClientsV1.Clients.searchFields, search).fields
        #expect(found.count == expected)
        return counter.take()
    }

    @Test func theCardAndTheFieldSearchDoNotQueryPerField() async throws {
        let counter = StatementCounter()
        try await withClientsService(store: Self.tracingReads(into: counter)) { service in
            let clientID = try await service.savedClient("tg-1", phone: "8 912 345-67-89")
            for index in 0..<6 {
                try await define(service, "d\(index)", .dictionary)
                try await define(service, "s\(index)", .string)
            }
            try await fill(service, clientID, "d0", pin: true)
            try await fill(service, clientID, "s0", pin: false)
            // A round first: a read-only connection opens at its first read and checks the file
            // with a query of its own, which the counted rounds must not see.
            _ = try await statements(service, counter, clientID)
            let few = try await statements(service, counter, clientID)
            #expect(few.allSatisfy { $0 > 0 })
            // Pinning d0 again changes nothing but the catalog's version: the next card reads the
            // catalog once more.
            try await fill(service, clientID, "d0", pin: true)
            let fewAfterAChange = try await statements(service, counter, clientID)

            for index in 1..<6 {
                try await fill(service, clientID, "d\(index)", pin: true)
                try await fill(service, clientID, "s\(index)", pin: index.isMultiple(of: 2))
            }
            try await fill(service, clientID, "birthday", pin: true)
            let manyAfterAChange = try await statements(service, counter, clientID)
            let many = try await statements(service, counter, clientID)
            let card = try await service.card(client: clientID)
            #expect(card.fields.count == 13)
            #expect(card.fields.first { $0.definition?.code == "d3" }?.displayValue == "TWO")
            // Six dictionary fields, six string fields and a system one cost what two did, both
            // with the catalog in memory and right after it changed.
            #expect(many == few)
            #expect(manyAfterAChange == fewAfterAChange)
            // The catalog kept in memory saves its three statements (definitions, options, the
            // manager's order and pins) on every card but the first after a change.
            #expect(manyAfterAChange[0] == many[0] + 3)
            // Listing the 20 fields (8 system, 12 defined, 7 of them dictionaries) costs what
            // listing the one dictionary field d0 does.
            let one = try await searchStatements(service, counter, clientID, query: "d0", expected: 1)
            let all = try await searchStatements(service, counter, clientID)
            #expect(all == one)
        }
    }
}
