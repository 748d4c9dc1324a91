import InsightsService
import Testing

/// The BPE encoder against token ids computed once with tiktoken 0.14.0's `cl100k_base` over
/// the same vocabulary file.
@Suite struct TokenizerTests {
    let tokenizer: BPETokenizer

    init() throws {
        tokenizer = try loadedConfiguration().tokenizer
    }

    @Test func vocabularyHasEveryRank() {
        #expect(tokenizer.vocabularySize == BPETokenizer.cl100kRankCount)
    }

    @Test(arguments: [
        ("Здравствуйте! Хочу заказать кофеварку 👍🏽",
         [36551, 7094, 28086, 20812, 83680, 51627, 0, 1301, 98, 38438, 3865, 88005, 18482, 88515, 19916, 33742, 17721, 36352, 62904,
          235, 9468, 237, 121]),
        ("hello world\r\n\r\nline  two  \n", [15339, 1917, 881, 1074, 220, 1403, 2355]),
        ("Заказ №12345 на 4 990 ₽, тел. +7 (916) 123-45-67",
         [36551, 16248, 19188, 97990, 4513, 1774, 13373, 220, 19, 220, 19146, 2928, 224, 121, 11, 11047, 12394, 13, 489, 22, 320,
          24487, 8, 220, 4513, 12, 1774, 12, 3080]),
        ("I'll send the invoice, don't worry. 2024-05-01", [40, 3358, 3708, 279, 25637, 11, 1541, 956, 11196, 13, 220, 2366, 19, 12, 2304, 12, 1721]),
        ("", []),
        ("   ", [262]),
    ])
    func encodesLikeTiktoken(text: String, ids: [Int]) {
        #expect(tokenizer.encode(text) == ids)
        #expect(tokenizer.count(text) == ids.count)
        #expect(tokenizer.decode(ids) == text)
    }
}
