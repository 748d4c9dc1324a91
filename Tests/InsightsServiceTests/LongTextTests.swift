import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import Dispatch
@testable import InsightsService
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Long runs of one letter, word or sign: the tokenizer's merges, the entity patterns and the
/// summarizer take work in proportion to the text (a message of 20 000 letters took 37 s and
/// held the service), and a summary is made off the event loops and stops when its call does.
@Suite struct LongTextTests {
    let tokenizer: BPETokenizer

    init() throws {
        tokenizer = try loadedConfiguration().tokenizer
    }

    @Test(arguments: [
        String(repeating: "a", count: 200_000), String(repeating: "я", count: 100_000), String(repeating: " ", count: 200_000),
        String(repeating: "!", count: 200_000), String(repeating: "ab", count: 100_000),
    ])
    func aLongPieceTakesLinearWork(text: String) {
        let bytes = Array(text.utf8)
        var steps = 0
        let ids = tokenizer.encodePiece(bytes, steps: &steps)
        // Each pair is taken from the heap once, or once more after a merge beside it: at most
        // three a byte (the quadratic rescan took a step per pair after each merge).
        #expect(steps <= 3 * bytes.count, "\(steps) steps for \(bytes.count) bytes")
        #expect(tokenizer.decode(ids) == text)
        #expect(tokenizer.count(text) == tokenizer.encode(text).count)
    }

    /// The heap gives tiktoken's merges: the same ids as the rescan on every piece tried.
    @Test func theHeapMergesAsTheRescanDoes() {
        var generator = Lehmer(seed: 7)
        let alphabets: [[String]] = [["a", "b"], ["a", "a", "a", " "], ["я", "б", "а", "в"], ["x", "y", "z", "1", "-"], ["ab", "ba", "a"]]
        for round in 0..<200 {
            let alphabet = alphabets[round % alphabets.count]
            let piece = Array((0..<(1 + generator.next(upTo: 600))).map { _ in alphabet[generator.next(upTo: alphabet.count)] }.joined().utf8)
            #expect(tokenizer.encodePiece(piece) == rescanMerges(piece), "\(String(decoding: piece, as: UTF8.self))")
        }
        for text in [String(repeating: "a", count: 3_000), String(repeating: "я", count: 1_500), String(repeating: "ab", count: 1_200)] {
            #expect(tokenizer.encodePiece(Array(text.utf8)) == rescanMerges(Array(text.utf8)))
        }
    }

    /// tiktoken's merge loop as it was: rescan every pair after each merge.
    func rescanMerges(_ piece: [UInt8]) -> [Int] {
        if let rank = tokenizer.ranks[piece] { return [rank] }
        var parts = Array(0...piece.count)
        func rank(_ i: Int) -> Int? {
            guard i + 2 < parts.count else { return nil }
            return tokenizer.ranks[Array(piece[parts[i]..<parts[i + 2]])]
        }
        var pairRanks = (0..<parts.count - 1).map { rank($0) }
        while true {
            var best: (rank: Int, index: Int)? = nil
            for (index, candidate) in pairRanks.enumerated() {
                if let candidate, best == nil || candidate < best!.rank { best = (candidate, index) }
            }
            guard let (_, index) = best else { break }
            parts.remove(at: index + 1)
            pairRanks.remove(at: index + 1)
            pairRanks[index] = rank(index)
            if index > 0 { pairRanks[index - 1] = rank(index - 1) }
        }
        return (0..<parts.count - 1).map { tokenizer.ranks[Array(piece[parts[$0]..<parts[$0 + 1]])] ?? 0 }
    }

    /// Texts of 200 000 characters that made the patterns rescan a run from each of its
    /// positions: each is read, and the entity at its end is found.
    @Test(arguments: [
        (String(repeating: "a", count: 200_000) + " mail@example.com", "ENTITY_KIND_EMAIL mail@example.com"),
        (String(repeating: "1.", count: 100_000) + " mail@example.com", "ENTITY_KIND_EMAIL mail@example.com"),
        (String(repeating: "заказ", count: 40_000) + " заказ №12345", "ENTITY_KIND_ORDER_NUMBER заказ №12345"),
        (String(repeating: "order", count: 40_000) + " order #A-778", "ENTITY_KIND_ORDER_NUMBER order #A-778"),
        ("заказ" + String(repeating: " ", count: 200_000) + "x", nil),
        ("1" + String(repeating: " 234", count: 50_000) + " итого 5 990 ₽", "ENTITY_KIND_SUM 5 990 ₽"),
        (String(repeating: "1₽ ", count: 60_000), "ENTITY_KIND_SUM 1₽"),
    ] as [(String, String?)])
    func longRunsAreReadOnce(text: String, entity: String?) throws {
        let entities = try EntityExtractor().entities(in: [text]).map { "\($0.kind.protoName) \($0.text)" }
        if let entity { #expect(entities.contains(entity), "\(entities.prefix(5))") } else { #expect(entities.isEmpty) }
    }

    @Test func aMessageOf200000LettersIsSummarized() async throws {
        let message = StoredMessage(id: 1, isIncoming: true, author: "Анна", text: String(repeating: "a", count: 200_000), sentAtMs: 1)
        let content = try await ExtractiveSummarizer().summarize([message])
        #expect(content.highlights.count == 1 && content.highlights[0].count == 240)
        // The budget cuts it: its beginning, within the budget.
        let selection = try BudgetSelection.select(budget: 5_400, tokenizer: tokenizer) { $0 == nil ? [message] : [] }
        #expect(selection.newestCut && selection.messages.count == 1 && selection.tokens <= 5_400 && selection.tokens > 5_000)
    }

    /// Over the socket: a dialog of the longest messages the feed takes, each one run of a
    /// letter, a word or a sign, is summarized, and the service answers beside it.
    @Test func aDialogOfLongRunsIsSummarized() async throws {
        let start = Time.at("2026-04-01T08:00:00Z")
        let texts = [
            String(repeating: "a", count: 20_000), String(repeating: "я", count: 20_000), String(repeating: "заказ", count: 4_000),
            String(repeating: "order", count: 4_000), String(repeating: "!", count: 20_000), String(repeating: "1 ", count: 10_000),
        ]
        try await withInsightsService { service in
            try await service.append(texts.enumerated().map { Make.message("m\($0)", text: $1, at: start + Int64($0) * Time.minute) })
            try await service.record([Make.view("p1", at: start)])
            async let summary = service.summarize("d1")
            async let visit = service.visit(visitor: "v1")
            let made = try await summary
            #expect(made.messagesUsed >= 1 && made.tokensUsed <= made.tokenBudget && made.messagesTotal == 6)
            #expect(try await visit.visit?.pages.count == 1)
        }
    }

    /// The summary is made off the event loop of the call that asks for it: the loop runs other
    /// work while the summarizer holds its thread.
    @Test func theSummaryIsMadeOffTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let summarizer = LoopProbe(loop: loop)
        try await withInsightsService { service in
            try await service.append([Make.message("m1", text: "Хочу кофемашину", at: Time.at("2026-04-01T08:00:00Z"))])
            let engine = SummaryEngine(tokenizer: tokenizer, budget: TokenBudget(), summarizer: summarizer)
            try await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop: loop)) {
                #expect(loop.inEventLoop)
                _ = try await service.store.summarize(dialogID: "d1", by: 1, engine: engine, requestID: "")
            }
        }
        #expect(summarizer.seen == [.offTheLoop])
        try await group.shutdownGracefully()
    }

    /// A cancelled summary stops and stores nothing.
    @Test func aCancelledSummaryStoresNothing() async throws {
        let summarizer = CancelProbe()
        try await withInsightsService { service in
            try await service.append([Make.message("m1", text: "Хочу кофемашину", at: Time.at("2026-04-01T08:00:00Z"))])
            let engine = SummaryEngine(tokenizer: tokenizer, budget: TokenBudget(), summarizer: summarizer)
            let making = Task { try await service.store.summarize(dialogID: "d1", by: 1, engine: engine, requestID: "") }
            for await _ in summarizer.started { break }
            making.cancel()
            await #expect(throws: CancellationError.self) { try await making.value }
            #expect(try await service.store.summary(dialogID: "d1").summary == nil)
        }
    }

    /// The budget's selection stops between messages once its call is to stop.
    @Test func theSelectionStopsWhenItsCallDoes() throws {
        let messages = (0..<50).map { StoredMessage(id: Int64($0), isIncoming: true, author: "A", text: "слово \($0)", sentAtMs: Int64(100 - $0)) }
        let stop = WorkStop()
        var counted = 0
        #expect(throws: CancellationError.self) {
            _ = try BudgetSelection.select(
                budget: 5_400, tokenizer: tokenizer,
                check: {
                    counted += 1
                    if counted == 10 { stop.cancel() }
                    try stop.check()
                }
            ) { $0 == nil ? messages : [] }
        }
        #expect(counted == 10)
        #expect(throws: CancellationError.self) { try WorkStop(deadline: .now - .seconds(1)).check() }
        try WorkStop(deadline: .now + .seconds(60)).check()
    }
}

/// Records where the summarizer ran: on the probed loop's thread or off it, and whether the
/// loop ran a job while the summarizer held its thread.
final class LoopProbe: Summarizer {
    enum Seen: Equatable { case onTheLoop, offTheLoop, loopStuck }
    let loop: any EventLoop
    private let log = Mutex<[Seen]>([])
    var seen: [Seen] { log.withLock { $0 } }

    init(loop: any EventLoop) { self.loop = loop }

    func summarize(_ messages: [StoredMessage]) async throws -> SummaryContent {
        if loop.inEventLoop {
            log.withLock { $0.append(.onTheLoop) }
            return SummaryContent()
        }
        // Holds this thread until the loop has run a job (given up after a minute, as stuck).
        let ran = DispatchSemaphore(value: 0)
        loop.execute { ran.signal() }
        let outcome = ran.wait(timeout: .now() + 60)
        log.withLock { $0.append(outcome == .success ? .offTheLoop : .loopStuck) }
        return SummaryContent()
    }
}

/// Says it started, then waits until its task is cancelled.
final class CancelProbe: Summarizer {
    let started: AsyncStream<Void>
    private let startedContinuation: AsyncStream<Void>.Continuation

    init() {
        (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
    }

    func summarize(_ messages: [StoredMessage]) async throws -> SummaryContent {
        startedContinuation.yield()
        try await Task.sleep(for: .seconds(3_600))
        return SummaryContent()
    }
}

/// A small deterministic generator (Lehmer, 64-bit state).
struct Lehmer {
    private var state: UInt64

    init(seed: UInt64) { state = seed * 2 + 1 }

    mutating func next(upTo bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
}
