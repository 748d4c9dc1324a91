/// The token budget of a summary (SUMMARY-3): the newest messages whose lines fit it are used,
/// counted with the real tokenizer; the period starts at the earliest message that fitted.
public struct TokenBudget: Sendable, Hashable {
    /// Tokens every message costs beside its line (a chat model's per-message framing).
    public static let perMessageOverhead = 4

    /// The model's input budget in tokens.
    public var modelBudget: Int
    /// The share of it kept free, in percent, for other models' tokenizers (which may count
    /// a few percent more than cl100k) and the request's own instructions.
    public var marginPercent: Int

    /// A budget; the defaults suit an 8k-context model.
    public init(modelBudget: Int = 6_000, marginPercent: Int = 10) {
        self.modelBudget = modelBudget
        self.marginPercent = marginPercent
    }

    /// What the messages may take: the model's budget less the margin.
    public var usable: Int { modelBudget - modelBudget * marginPercent / 100 }

    /// What a message costs: its line's tokens and the per-message overhead.
    static func cost(of message: StoredMessage, _ tokenizer: BPETokenizer) -> Int {
        tokenizer.count(message.line) + perMessageOverhead
    }
}

/// The messages chosen for a summary: the newest that fit, oldest first.
struct BudgetSelection: Sendable {
    /// Oldest first; the last one may be cut (see ``newestCut``).
    var messages: [StoredMessage] = []
    /// The tokens they take.
    var tokens = 0
    /// The newest message alone did not fit: only its beginning is kept.
    var newestCut = false
    /// Whether older messages were left out because the budget was full.
    var isFull = false

    /// Takes messages newest first from `pages` (each page newest first, fetched as needed)
    /// until the next one would not fit. A newest message longer than the whole budget is cut
    /// to fit, so a summary always has something to say. `check` runs before each message is
    /// counted and may throw to stop the work.
    static func select(
        budget: Int, tokenizer: BPETokenizer, check: () throws -> Void = {}, pages: (MessageCursor?) throws -> [StoredMessage]
    ) rethrows -> BudgetSelection {
        var selection = BudgetSelection()
        var newestFirst: [StoredMessage] = []
        var cursor: MessageCursor? = nil
        paging: while true {
            let page = try pages(cursor)
            for message in page {
                try check()
                let cost = TokenBudget.cost(of: message, tokenizer)
                if selection.tokens + cost <= budget {
                    selection.tokens += cost
                    newestFirst.append(message)
                    continue
                }
                selection.isFull = true
                if newestFirst.isEmpty, let cut = try cutToFit(message, budget: budget, tokenizer, check: check) {
                    newestFirst.append(cut.message)
                    selection.tokens = cut.tokens
                    selection.newestCut = true
                }
                break paging
            }
            guard let last = page.last else { break }
            cursor = last.cursor
        }
        selection.messages = newestFirst.reversed()
        return selection
    }

    /// The message with its text cut to the tokens that fit `budget` with its author and the
    /// overhead; nil when not even that fits.
    private static func cutToFit(
        _ message: StoredMessage, budget: Int, _ tokenizer: BPETokenizer, check: () throws -> Void
    ) rethrows -> (message: StoredMessage, tokens: Int)? {
        let empty = StoredMessage(
            id: message.id, dialogID: message.dialogID, isIncoming: message.isIncoming, author: message.author, text: "",
            sentAtMs: message.sentAtMs)
        let frame = TokenBudget.cost(of: empty, tokenizer)
        guard frame < budget else { return nil }
        var ids = Array(tokenizer.encode(message.text).prefix(budget - frame))
        while !ids.isEmpty {
            try check()
            var text = tokenizer.decode(ids)
            // A cut inside a character leaves replacement characters at the end.
            while text.hasSuffix("\u{FFFD}") { text.removeLast() }
            let cut = StoredMessage(
                id: message.id, dialogID: message.dialogID, isIncoming: message.isIncoming, author: message.author, text: text,
                sentAtMs: message.sentAtMs)
            let cost = TokenBudget.cost(of: cut, tokenizer)
            if cost <= budget { return (cut, cost) }
            // Re-tokenized, the cut text may take a token more: drop one and try again.
            ids.removeLast()
        }
        return nil
    }
}
