public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import Foundation
import GRDB

extension InsightsStore {
    /// Messages read per page while filling the budget.
    static let budgetPageSize = 200

    /// Makes a dialog's summary from its newest messages that fit the engine's budget and
    /// stores it in place of the one before (SUMMARY-2..4).
    ///
    /// The summary is made off the event loops, on the summaries' queue (``SummaryWork``), and
    /// stops when the call is cancelled or its deadline passes (a call's deadline is read from
    /// ``ChatPanelRPC/RPCCallContext/current``); only its write runs on the writer's queue.
    ///
    /// - Throws: FAILED_PRECONDITION when the dialog has no message with text;
    ///   `CancellationError` when the call was cancelled or its deadline passed (nothing is stored).
    public func summarize(dialogID: String, by managerID: Int64, engine: SummaryEngine, requestID: String) async throws
        -> InsightsV1.SummarizeResponse
    {
        let stop = WorkStop(deadline: RPCCallContext.current?.deadline)
        var made = try await SummaryWork.run(stop) {
            let (selection, dialog) = try select(dialogID: dialogID, engine: engine, stop: stop)
            guard !selection.messages.isEmpty else {
                throw RPCError.failedPrecondition("dialog \(dialogID) has no messages with text to summarize")
            }
            return try await engine.summary(
                of: selection, dialogID: dialogID, clientID: dialog?.clientID, messageCount: dialog?.messageCount ?? 0)
        }
        try stop.check()
        made.createdByID = managerID
        made.createdAtMs = now()
        let summary = made
        return try await database.idempotentWrite(requestID: requestID, method: InsightsV1.Insights.summarize.path) { db in
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO summary (dialog_id, client_id, summarizer, period_start_ms, period_end_ms,
                        messages_used, tokens_used, created_at_ms, created_by_id, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                dialogID, summary.clientID == 0 ? nil : summary.clientID, summary.summarizer.rawValue, summary.periodStartMs,
                summary.periodEndMs, summary.messagesUsed, summary.tokensUsed, summary.createdAtMs, managerID,
                Data(try summary.serializedBytes()),
            ])
            try db.recordChanges([.summary], dialogID: dialogID, at: summary.createdAtMs)
            var response = InsightsV1.SummarizeResponse()
            response.summary = summary
            return response
        }
    }

    /// What a summary of the dialog would be made from: the newest messages with text that fit
    /// the engine's budget (counted with its tokenizer), read in one snapshot; no summary is made
    /// or stored (the benchmark times this step alone).
    public func budgetSelection(dialogID: String, engine: SummaryEngine) async throws -> (messages: Int, tokens: Int, periodStartMs: Int64)
    {
        let stop = WorkStop(deadline: RPCCallContext.current?.deadline)
        let selection = try await SummaryWork.run(stop) { try select(dialogID: dialogID, engine: engine, stop: stop).0 }
        return (selection.messages.count, selection.tokens, selection.messages.first?.sentAtMs ?? 0)
    }

    /// The selection, read in one snapshot on the calling thread (the summaries' queue: never on
    /// an event loop or Swift's cooperative pool); stops between messages when `stop` says so.
    private func select(dialogID: String, engine: SummaryEngine, stop: WorkStop) throws
        -> (BudgetSelection, (clientID: Int64?, messageCount: Int)?)
    {
        let budget = engine.budget.usable
        let tokenizer = engine.tokenizer
        return try database.readNow { db in
            let dialog = try Self.dialog(db, id: dialogID)
            let selection = try BudgetSelection.select(budget: budget, tokenizer: tokenizer, check: stop.check) { cursor in
                try Self.messagesNewestFirst(db, dialogID: dialogID, before: cursor, limit: Self.budgetPageSize)
                    .filter { !TextRule.isBlank($0.text) }
            }
            return (selection, dialog)
        }
    }

    /// The dialog's stored summary (if any) and its message count now.
    public func summary(dialogID: String) async throws -> InsightsV1.GetSummaryResponse {
        try await database.read { db in try Self.summary(db, dialogID: dialogID) }
    }

    /// ``summary(dialogID:)`` inside a read transaction.
    static func summary(_ db: Database, dialogID: String) throws -> InsightsV1.GetSummaryResponse {
        let (messageCount, stored) = try storedSummary(db, dialogID: dialogID)
        var response = InsightsV1.GetSummaryResponse()
        response.messageCount = messageCount
        if let (body, clientID) = stored {
            var summary = try body.withUnsafeBytes { try InsightsV1.Summary(unsafeBytes: $0) }
            summary.clientID = clientID
            response.summary = summary
        }
        return response
    }

    /// ``summary(_:dialogID:)`` encoded, the stored summary forwarded as the store keeps it: its
    /// body but for its client, which the column holds (a link or a merge since it was made
    /// moves it to another client), appended after it. For the panel, which forwards it.
    static func encodedSummary(_ db: Database, dialogID: String) throws -> [UInt8] {
        let (messageCount, stored) = try storedSummary(db, dialogID: dialogID)
        var response = InsightsV1.GetSummaryResponseView()
        response.messageCount = messageCount
        if let (body, clientID) = stored {
            var column = InsightsV1.Summary()
            column.clientID = clientID
            if let (rest, _) = body.withUnsafeBytes({ ProtoWire.split($0, removing: clientIDField...clientIDField) }) {
                response.summary = rest + (try column.onePassBytes())
            } else {
                // The client given twice: decoded, the column's client set, encoded again.
                var summary = try body.withUnsafeBytes { try InsightsV1.Summary(unsafeBytes: $0) }
                summary.clientID = clientID
                response.summary = try summary.serializedBytes()
            }
        }
        return try response.onePassBytes()
    }

    /// `Summary.client_id`'s field number (`proto/chatpanel/insights/v1/insights.proto`).
    private static let clientIDField: UInt32 = 2

    /// The dialog's message count now, and its stored summary's body and client (the column's,
    /// 0 for none), if it has one.
    private static func storedSummary(_ db: Database, dialogID: String) throws -> (UInt32, (body: Data, clientID: Int64)?) {
        // One statement for both (a row whether or not the dialog or its summary exist): a
        // statement run costs the panel some 5 000 instructions whatever it reads.
        let row = try db.positionalRow(sql: storedSummarySQL, [dialogID])
        let messageCount = UInt32(row?[0] ?? Int64(0))
        guard let row, let body: Data = row[1] else { return (messageCount, nil) }
        return (messageCount, (body, row[2] ?? 0))
    }

    /// The dialog's message count, and its summary's body and client (NULL for none).
    private static let storedSummarySQL = """
        SELECT d.message_count, s.body, s.client_id FROM (SELECT ? AS dialog_id) k
        LEFT JOIN dialog d ON d.dialog_id = k.dialog_id LEFT JOIN summary s ON s.dialog_id = k.dialog_id
        """
}
