import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import Foundation

/// The insights process's socket when neither `--socket` nor `CHATPANEL_SOCKET` names one.
private let insightsSocket = "run/state/insights.sock"

/// `chatpanelctl insights …`: conversation summaries and site visits.
struct InsightsCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insights", abstract: "Conversation summaries and site visits.",
        subcommands: [Summarize.self, ShowSummary.self, ShowVisit.self, LinkDialog.self, MoveClientRecords.self])

    /// `chatpanelctl insights summarize`: makes (or refreshes) a dialog's summary.
    struct Summarize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "summarize", abstract: "Makes or refreshes a dialog's summary.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The dialog.") var dialog: String
        @Option(help: "Idempotency key: a retry with the same id is applied once.") var requestID = ""

        func run() async throws {
            var request = InsightsV1.SummarizeRequest()
            request.dialogID = dialog
            let options = RPCCallOptions(requestID: requestID.isEmpty ? UUID().uuidString : requestID)
            let response = try await connection.withClient(defaultPath: insightsSocket) {
                try await $0.unary(InsightsV1.Insights.summarize, request, options: options)
            }
            try connection.output(response) { response.summary.map(InsightsText.describe) ?? "" }
        }
    }

    /// `chatpanelctl insights summary`: the stored summary; `--copy` prints only its plain text.
    struct ShowSummary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "summary", abstract: "Shows a dialog's stored summary.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The dialog.") var dialog: String
        @Flag(help: "Print only the summary's plain text (what \"copy\" gives).") var copy = false

        func run() async throws {
            var request = InsightsV1.GetSummaryRequest()
            request.dialogID = dialog
            let response = try await connection.withClient(defaultPath: insightsSocket) {
                try await $0.unary(InsightsV1.Insights.getSummary, request)
            }
            try connection.output(response) {
                guard let summary = response.summary else { return "no summary yet (\(response.messageCount) messages)" }
                return copy ? summary.text : InsightsText.describe(summary) + "\nmessages now: \(response.messageCount)"
            }
        }
    }

    /// `chatpanelctl insights visit`: a visitor's or a client's current visit.
    struct ShowVisit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "visit", abstract: "Shows a site visitor's (or a client's) current visit.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The site visitor.") var visitor = ""
        @Option(help: "The client (when no visitor is given).") var client: Int64 = 0

        func run() async throws {
            var request = InsightsV1.GetVisitRequest()
            request.visitorID = visitor
            request.clientID = client
            let response = try await connection.withClient(defaultPath: insightsSocket) {
                try await $0.unary(InsightsV1.Insights.getVisit, request)
            }
            try connection.output(response) {
                response.visit.map { InsightsText.visitLines($0).joined(separator: "\n") } ?? "no page views"
            }
        }
    }

    /// `chatpanelctl insights link`: links a dialog to its client.
    struct LinkDialog: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "link", abstract: "Links a dialog to the client it was saved as.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The dialog.") var dialog: String
        @Option(help: "The client.") var client: Int64

        func run() async throws {
            var request = InsightsV1.LinkDialogRequest()
            request.dialogID = dialog
            request.clientID = client
            let response = try await connection.withClient(defaultPath: insightsSocket) {
                try await $0.unary(InsightsV1.Insights.linkDialog, request, options: RPCCallOptions(requestID: UUID().uuidString))
            }
            try connection.output(response) {
                "dialog \(dialog) linked to client #\(client)" + (response.previousClientID == 0 ? "" : " (was #\(response.previousClientID))")
            }
        }
    }

    /// `chatpanelctl insights move-client-records`: a merge's insights step, by hand.
    struct MoveClientRecords: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "move-client-records", abstract: "Moves a client's dialogs, summaries and page views to another client.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client merged away.") var from: Int64
        @Option(help: "The client that stays.") var to: Int64

        func run() async throws {
            var request = InsightsV1.MoveClientRecordsRequest()
            request.fromClientID = from
            request.toClientID = to
            let response = try await connection.withClient(defaultPath: insightsSocket) {
                try await $0.unary(InsightsV1.Insights.moveClientRecords, request, options: RPCCallOptions(requestID: UUID().uuidString))
            }
            try connection.output(response) {
                "moved \(response.dialogsMoved) dialogs, \(response.summariesMoved) summaries, \(response.pageViewsMoved) page views"
            }
        }
    }
}

/// Text renderings of summaries and visits, shared by the insights commands and the panel.
enum InsightsText {
    /// The summary's plain text and how it was made.
    static func describe(_ summary: InsightsV1.Summary) -> String {
        var lines = [summary.text]
        var made = "made \(time(summary.createdAtMs)) by manager #\(summary.createdByID) with \(summary.summarizer.protoName)"
        if !summary.model.isEmpty { made += " (\(summary.model))" }
        lines.append(made)
        return lines.joined(separator: "\n")
    }

    /// The visit, a line a fact.
    static func visitLines(_ visit: InsightsV1.Visit) -> [String] {
        var lines: [String] = []
        if let page = visit.currentPage { lines.append("current page: \(page.title) — \(page.url)") }
        let end = visit.onSiteNow ? "on the site now" : "ended \(time(visit.endedAtMs))"
        lines.append("visit: started \(time(visit.startedAtMs)), \(end), \(visit.durationMs / 60_000) min")
        lines.append(visit.visitCount == 1 ? "first visit" : "visits: \(visit.visitCount)")
        if let device = visit.device {
            lines.append(
                "device: \(device.os) \(device.osVersion), \(device.browser) \(device.browserVersion), language \(device.language)"
                    .replacingOccurrences(of: "  ", with: " "))
        }
        if let location = visit.location, !location.countryCode.isEmpty {
            lines.append("location: \(location.countryCode)" + (location.city.isEmpty ? "" : ", \(location.city)"))
        }
        if let utm = visit.utm {
            let tags = [("utm_source", utm.source), ("utm_medium", utm.medium), ("utm_campaign", utm.campaign), ("utm_term", utm.term), ("utm_content", utm.content)]
                .filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1)" }
            if !tags.isEmpty { lines.append("UTM: " + tags.joined(separator: " ")) }
        }
        lines.append("pages (\(visit.pages.count)):")
        lines += visit.pages.map { "  \(time($0.viewedAtMs))  \($0.title)" }
        return lines
    }

    /// "2026-05-04 12:00 UTC".
    static func time(_ milliseconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000)) + " UTC"
    }
}
