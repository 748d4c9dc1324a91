import ChatPanelStore
import ChatPanelTesting
import GRDB
import Testing

@testable import OrdersService

/// The catalog tokenizer: unicode61's words, ё as е, Snowball stems for Russian and English.
@Suite struct TokenizerTests {
    private func tokens(_ text: String) async throws -> [String] {
        try await withTemporaryDirectory { directory in
            let store = try OrdersStore(path: "\(directory)/orders.sqlite")
            return try await store.database.read { db in
                let tokenizer = try db.makeTokenizer(FTS5TokenizerDescriptor(components: [CatalogTokenizer.name]))
                return try tokenizer.tokenize(query: text).map(\.token)
            }
        }
    }

    @Test func foldsCaseYoAndAccentsAndStems() async throws {
        #expect(try await tokens("Кофеварки КОФЕВАРКА кофеварку") == ["кофеварк", "кофеварк", "кофеварк"])
        #expect(try await tokens("Ёлка елки ЁЛОЧКА") == ["елк", "елк", "елочк"])
        #expect(try await tokens("Coffee machines Café") == ["coffe", "machin", "cafe"])
        #expect(try await tokens("KF-200 180см") == ["kf", "200", "180см"])
    }

    @Test func fullTextQueriesQuoteWordsAndMakeTheLastAPrefix() {
        #expect(FullTextQuery.make("кофеварка бо") == "\"кофеварка\" AND (\"бо\"* OR \"бо\")")
        #expect(FullTextQuery.make("кофеварка ") == "\"кофеварка\"")
        #expect(FullTextQuery.make("\"OR\" NEAR(") == "\"OR\" AND \"NEAR\"")
        #expect(FullTextQuery.make(" «» ") == nil)
    }
}
