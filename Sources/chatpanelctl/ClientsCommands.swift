import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import Foundation

/// The clients process's socket when neither `--socket` nor `CHATPANEL_SOCKET` names one.
private let clientsSocket = "run/state/clients.sock"

/// `chatpanelctl clients …`: the clients service's main calls.
struct ClientsCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients", abstract: "Clients, tags, duplicates and merges.",
        subcommands: [
            RecordDialog.self, SaveClient.self, ShowClient.self, FindClients.self, CompleteTags.self, AddTag.self, ListDuplicates.self,
            MergeClients.self, TagJob.self, ClientDialogs.self, ClientTags.self, MergeHistory.self,
        ])

    /// `chatpanelctl clients dialog`: records a dialog's contact (what the chat system does).
    struct RecordDialog: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "dialog", abstract: "Records a dialog or updates its contact data.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The dialog's id.") var id: String
        @Option(help: "The channel, like telegram.") var channel = "telegram"
        @Option(help: "The contact's login on the channel.") var login = ""
        @Option(help: "The contact's name.") var name = ""
        @Option(help: "The contact's phone.") var phone = ""
        @Option(help: "The contact's email.") var email = ""

        func run() async throws {
            var request = ClientsV1.UpsertDialogRequest()
            request.dialogID = id
            request.channel = channel
            request.externalLogin = login
            request.displayName = name
            request.phone = phone
            request.email = email
            let options = RPCCallOptions(requestID: UUID().uuidString)
            let response = try await connection.withClient(defaultPath: clientsSocket) {
                try await $0.unary(ClientsV1.Clients.upsertDialog, request, options: options)
            }
            try connection.output(response) {
                let linked = response.dialog?.clientID.map { "linked to client \($0)" } ?? "no client yet"
                return "dialog \(id): \(linked)\(response.autoSavedClientID != nil ? " (saved automatically)" : "")"
            }
        }
    }

    /// `chatpanelctl clients save`: "Save client" for a dialog.
    struct SaveClient: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "save", abstract: "Creates a client from a dialog's contact and links them.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The dialog.") var dialog: String

        func run() async throws {
            var request = ClientsV1.SaveClientFromDialogRequest()
            request.dialogID = dialog
            let options = RPCCallOptions(requestID: UUID().uuidString)
            let card = try await connection.withClient(defaultPath: clientsSocket) {
                try await $0.unary(ClientsV1.Clients.saveClientFromDialog, request, options: options)
            }
            try connection.output(card) { describe(card) }
        }
    }

    /// `chatpanelctl clients show`: the client card of a dialog or a client.
    struct ShowClient: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Shows the client card of a dialog or a client.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client.") var client: Int64?
        @Option(help: "The dialog (the card as the panel shows it).") var dialog: String?

        func validate() throws {
            guard (client == nil) != (dialog == nil) else { throw ValidationError("give --client or --dialog") }
        }

        func run() async throws {
            var request = ClientsV1.GetClientCardRequest()
            request.target = client.map { .clientID($0) } ?? dialog.map { .dialogID($0) }
            let card = try await connection.withClient(defaultPath: clientsSocket) {
                try await $0.unary(ClientsV1.Clients.getClientCard, request)
            }
            try connection.output(card) { describe(card) }
        }
    }

    /// `chatpanelctl clients find`: clients by phone, email, name or tags.
    struct FindClients: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "find", abstract: "Finds clients by phone, email or name prefix, and/or by tags.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "A phone, an email, or the start of \"last first patronymic\".") var query = ""
        @Option(name: .customLong("tag"), help: "A tag id to filter by; repeatable.") var tags: [Int64] = []
        @Flag(help: "Clients with any of the tags (default: all of them).") var any = false
        @Option(help: "Clients per page (0: 50).") var pageSize: Int32 = 0
        @Option(help: "The next_page_token of the previous page.") var pageToken = ""

        func run() async throws {
            var request = ClientsV1.ListClientsRequest()
            request.query = query
            request.tagIDs = tags
            request.match = any ? .any : .all
            request.pageSize = pageSize
            request.pageToken = pageToken
            let response = try await connection.withClient(defaultPath: clientsSocket) {
                try await $0.unary(ClientsV1.Clients.listClients, request)
            }
            try connection.output(response) {
                var lines = response.clients.map(describe)
                if lines.isEmpty { lines.append("no clients") }
                if !response.nextPageToken.isEmpty { lines.append("more: --page-token \(response.nextPageToken)") }
                return lines.joined(separator: "\n")
            }
        }
    }

    /// `chatpanelctl clients tags`: tag autocomplete.
    struct CompleteTags: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "tags", abstract: "Tag autocomplete: prefix matches, then infix ones.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "What was typed (empty: the first tags alphabetically).") var query = ""
        @Option(help: "At most this many (0: 10).") var limit: Int32 = 0
        @Option(help: "Leave out this client's tags.") var excludeClient: Int64 = 0

        func run() async throws {
            var request = ClientsV1.AutocompleteTagsRequest()
            request.query = query
            request.limit = limit
            request.excludeClientID = excludeClient
            let response = try await connection.withClient(defaultPath: clientsSocket) {
                try await $0.unary(ClientsV1.Clients.autocompleteTags, request)
            }
            try connection.output(response) {
                var lines = response.tags.map(describe)
                if lines.isEmpty { lines.append("nothing matches \"\(query)\"") }
                if response.canCreate { lines.append("(no tag is named \"\(query)\": `clients add-tag --name` creates it)") }
                return lines.joined(separator: "\n")
            }
        }
    }

    /// `chatpanelctl clients add-tag`: attaches a tag (by id, or by name, creating it if needed).
    struct AddTag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-tag", abstract: "Attaches a tag to a client; --name creates the tag when none has that name.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client.") var client: Int64
        @Option(help: "The tag's id.") var tag: Int64?
        @Option(help: "The tag's name (created when missing, with the create-tags right).") var name: String?
        @Flag(help: "Also pin it (shown next to the client's name).") var pin = false

        func validate() throws {
            guard (tag == nil) != (name == nil) else { throw ValidationError("give --tag or --name") }
        }

        func run() async throws {
            let response = try await connection.withClient(defaultPath: clientsSocket) { rpc in
                var tagID = tag ?? 0
                if let name {
                    var complete = ClientsV1.AutocompleteTagsRequest()
                    complete.query = name
                    complete.limit = 50
                    let found = try await rpc.unary(ClientsV1.Clients.autocompleteTags, complete)
                    if let existing = found.tags.first(where: { $0.name.lowercased() == name.lowercased() }) {
                        tagID = existing.tagID
                    } else {
                        var create = ClientsV1.CreateTagRequest()
                        create.name = name
                        tagID = try await rpc.unary(
                            ClientsV1.Clients.createTag, create, options: RPCCallOptions(requestID: UUID().uuidString)
                        ).tagID
                    }
                }
                var attach = ClientsV1.AttachTagRequest()
                attach.clientID = client
                attach.tagID = tagID
                var tags = try await rpc.unary(ClientsV1.Clients.attachTag, attach, options: RPCCallOptions(requestID: UUID().uuidString))
                if pin {
                    var request = ClientsV1.PinTagRequest()
                    request.clientID = client
                    request.tagID = tagID
                    request.pinned = true
                    tags = try await rpc.unary(ClientsV1.Clients.pinTag, request, options: RPCCallOptions(requestID: UUID().uuidString))
                }
                return tags
            }
            try connection.output(response) {
                "client \(response.clientID): "
                    + response.tags.map { ($0.pinned ? "📌" : "") + ($0.tag?.name ?? "?") }.joined(separator: ", ")
            }
        }
    }

    /// `chatpanelctl clients duplicates`: clients sharing a phone or email.
    struct ListDuplicates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "duplicates", abstract: "Lists the clients sharing a phone or email with a client or a dialog.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client.") var client: Int64?
        @Option(help: "The dialog.") var dialog: String?

        func validate() throws {
            guard (client == nil) != (dialog == nil) else { throw ValidationError("give --client or --dialog") }
        }

        func run() async throws {
            var request = ClientsV1.ListDuplicatesRequest()
            request.target = client.map { .clientID($0) } ?? dialog.map { .dialogID($0) }
            let response = try await connection.withClient(defaultPath: clientsSocket) {
                try await $0.unary(ClientsV1.Clients.listDuplicates, request)
            }
            try connection.output(response) {
                response.duplicates.isEmpty ? "no duplicates" : response.duplicates.map(describe).joined(separator: "\n")
            }
        }
    }

    /// `chatpanelctl clients merge`: merges a client into a survivor through the gateway's
    /// merge workflow (CLIENT-9), so the client records, then the tasks and notes, move.
    struct MergeClients: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Merges a client into a survivor through the gateway's merge workflow (client records, then tasks and notes).",
            discussion: """
                --socket is the gateway's socket (default run/state/gateway.sock). The command starts the \
                workflow and waits until it is DONE or FAILED (or --wait-seconds pass), showing its steps; \
                with --no-wait it prints the workflow as started. Run it again with the same --request-id to \
                see the same workflow, or to resume one that gave up on an unreachable service. Exit status: \
                0 when DONE, 1 when FAILED, 4 when still running after --wait-seconds.
                """)

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client that stays.") var survivor: Int64
        @Option(help: "The client merged into it.") var merged: Int64
        @Option(help: "Idempotency key: a retry with the same id finds the same workflow (default: a new one).") var requestID = ""
        @Flag(help: "Print the workflow as started instead of waiting for it.") var noWait = false
        @Option(help: "How long to wait for the workflow to finish, in seconds.") var waitSeconds: Int = 120

        func run() async throws {
            var request = GatewayV1.MergeClientsRequest()
            request.survivorClientID = survivor
            request.mergedClientID = merged
            let options = RPCCallOptions(requestID: requestID.isEmpty ? UUID().uuidString : requestID)
            let workflow = try await connection.withClient(defaultPath: gatewaySocket) { client in
                let started = try await client.unary(GatewayV1.Gateway.mergeClients, request, options: options)
                guard !noWait else { return started }
                var current = started
                var shown = ""
                let deadline = ContinuousClock.now + .seconds(waitSeconds)
                while current.state == .running || current.state == .retrying, ContinuousClock.now < deadline {
                    let line = Self.progress(current)
                    if line != shown, !connection.json {
                        FileHandle.standardError.write(Data((line + "\n").utf8))
                        shown = line
                    }
                    try await Task.sleep(for: .milliseconds(200))
                    var get = GatewayV1.GetMergeWorkflowRequest()
                    get.workflowID = started.workflowID
                    current = try await client.unary(GatewayV1.Gateway.getMergeWorkflow, get)
                }
                return current
            }
            try connection.output(workflow) { Self.describe(workflow) }
            switch workflow.state {
            case .done: return
            case .failed: throw ExitCode(1)
            default: if !noWait { throw ExitCode(4) }
            }
        }

        private static func stateName(_ state: GatewayV1.WorkflowState) -> String {
            state.protoName.replacingOccurrences(of: "WORKFLOW_STATE_", with: "")
        }

        private static func progress(_ workflow: GatewayV1.MergeWorkflow) -> String {
            let step = workflow.steps.first { !$0.done }?.name ?? "finishing"
            var line = "\(stateName(workflow.state)): \(step)"
            if workflow.state == .retrying { line += " (attempt \(workflow.attempts) failed: \(workflow.reason); retrying)" }
            return line
        }

        static func describe(_ workflow: GatewayV1.MergeWorkflow) -> String {
            var lines = [
                "merge workflow \(workflow.workflowID): client \(workflow.mergedClientID) → \(workflow.survivorClientID) by manager \(workflow.managerID): \(stateName(workflow.state))"
            ]
            if !workflow.reason.isEmpty { lines.append("  reason: \(workflow.reason)") }
            for step in workflow.steps {
                var line = "  [\(step.done ? "x" : " ")] \(step.name) (\(step.attempts) attempt\(step.attempts == 1 ? "" : "s"))"
                if !step.done, !step.lastError.isEmpty { line += ": \(step.lastError)" }
                lines.append(line)
            }
            return lines.joined(separator: "\n")
        }
    }

    /// `chatpanelctl clients tag-job`: an administrator's rename, recolor or delete of a tag.
    struct TagJob: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tag-job",
            abstract: "Previews (and with --yes starts) a tag rename, recolor or delete; with --status shows a job.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The tag.") var tag: Int64 = 0
        @Option(help: "Rename the tag.") var rename: String?
        @Option(help: "Recolor the tag, like #1e88e5.") var recolor: String?
        @Flag(help: "Delete the tag from every client.") var delete = false
        @Flag(help: "Confirm: start the job.") var yes = false
        @Option(help: "Show this job's progress (0: the running or latest one).") var status: Int64?

        func validate() throws {
            let actions = [rename != nil, recolor != nil, delete].filter { $0 }.count
            if status == nil, actions != 1 || tag <= 0 {
                throw ValidationError("give --tag and one of --rename, --recolor, --delete (or --status)")
            }
        }

        func run() async throws {
            if let status {
                var request = ClientsV1.GetTagJobRequest()
                request.jobID = status
                let job = try await connection.withClient(defaultPath: clientsSocket) {
                    try await $0.unary(ClientsV1.Clients.getTagJob, request)
                }
                try connection.output(job) { describe(job) }
                return
            }
            var spec = ClientsV1.TagJobSpec()
            spec.tagID = tag
            spec.action = delete ? .delete : rename != nil ? .rename : .recolor
            spec.newName = rename ?? ""
            spec.newColor = recolor ?? ""
            if !yes {
                var request = ClientsV1.PreviewTagJobRequest()
                request.spec = spec
                let preview = try await connection.withClient(defaultPath: clientsSocket) {
                    try await $0.unary(ClientsV1.Clients.previewTagJob, request)
                }
                try connection.output(preview) {
                    var lines = [preview.confirmation]
                    if let running = preview.runningJob { lines.append("blocked by: " + describe(running)) }
                    lines.append("run again with --yes to start it")
                    return lines.joined(separator: "\n")
                }
                return
            }
            var request = ClientsV1.StartTagJobRequest()
            request.spec = spec
            request.confirmed = true
            let options = RPCCallOptions(requestID: UUID().uuidString)
            let job = try await connection.withClient(defaultPath: clientsSocket) {
                try await $0.unary(ClientsV1.Clients.startTagJob, request, options: options)
            }
            try connection.output(job) { describe(job) + "\nfollow it with: chatpanelctl clients tag-job --status \(job.jobID)" }
        }
    }
}

extension ClientsCommands {
    /// `chatpanelctl clients client-dialogs`: a page of a client's dialogs.
    struct ClientDialogs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "client-dialogs", abstract: "Lists a client's dialogs, a page at a time.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client.") var client: Int64
        @Option(help: "Dialogs per page, 1..200 (0: 50).") var pageSize: Int32 = 0
        @Option(help: "The previous page's next-page token.") var pageToken = ""

        func run() async throws {
            var request = ClientsV1.ListClientDialogsRequest()
            request.clientID = client
            request.pageSize = pageSize
            request.pageToken = pageToken
            let response = try await connection.withClient(defaultPath: clientsSocket) {
                try await $0.unary(ClientsV1.Clients.listClientDialogs, request)
            }
            try connection.output(response) {
                let lines = response.dialogs.map { "\($0.dialogID) on \($0.channel): \($0.displayName) \($0.externalLogin)" }
                return pageText(lines, empty: "no dialogs", next: response.nextPageToken)
            }
        }
    }

    /// `chatpanelctl clients client-tags`: a page of a client's tags.
    struct ClientTags: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "client-tags", abstract: "Lists a client's tags, a page at a time.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client.") var client: Int64
        @Option(help: "Tags per page, 1..200 (0: 50).") var pageSize: Int32 = 0
        @Option(help: "The previous page's next-page token.") var pageToken = ""

        func run() async throws {
            var request = ClientsV1.ListClientTagsRequest()
            request.clientID = client
            request.pageSize = pageSize
            request.pageToken = pageToken
            let response = try await connection.withClient(defaultPath: clientsSocket) {
                try await $0.unary(ClientsV1.Clients.listClientTags, request)
            }
            try connection.output(response) {
                let lines = response.tags.map { ($0.pinned ? "📌" : "") + describe($0.tag ?? ClientsV1.Tag()) }
                return pageText(lines + ["(\(response.tagCount) tags)"], empty: "no tags", next: response.nextPageToken)
            }
        }
    }

    /// `chatpanelctl clients merges`: a page of a client's merge history.
    struct MergeHistory: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merges", abstract: "Lists the merges a client took part in, newest first, a page at a time.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client (survivor or merged).") var client: Int64
        @Option(help: "Merges per page, 1..50 (0: 20).") var pageSize: Int32 = 0
        @Option(help: "The previous page's next-page token.") var pageToken = ""

        func run() async throws {
            var request = ClientsV1.ListMergesRequest()
            request.clientID = client
            request.pageSize = pageSize
            request.pageToken = pageToken
            let response = try await connection.withClient(defaultPath: clientsSocket) {
                try await $0.unary(ClientsV1.Clients.listMerges, request)
            }
            try connection.output(response) {
                let lines = response.merges.map { record in
                    var line = "merge #\(record.mergeID): client \(record.mergedClientID) → \(record.survivorClientID), "
                    line += "\(record.movedPhones) phones, \(record.movedTags) tags, \(record.movedDialogCount) dialogs moved"
                    if !record.droppedPhones.isEmpty {
                        line += "; phones left out: " + record.droppedPhones.map(\.number).joined(separator: ", ")
                    }
                    return line
                }
                return pageText(lines, empty: "no merges", next: response.nextPageToken)
            }
        }
    }
}

/// A page of lines, with the token of the next page when there is one.
private func pageText(_ lines: [String], empty: String, next: String) -> String {
    var text = lines.isEmpty ? [empty] : lines
    if !next.isEmpty { text.append("next page: --page-token '\(next)'") }
    return text.joined(separator: "\n")
}

/// A client card as text.
private func describe(_ card: ClientsV1.ClientCard) -> String {
    var lines: [String] = []
    if let dialog = card.dialog {
        let contact = [dialog.phone, dialog.email].filter { !$0.isEmpty }.joined(separator: ", ")
        lines.append(
            "dialog \(dialog.dialogID) on \(dialog.channel): \(dialog.displayName) \(dialog.externalLogin)\(contact.isEmpty ? "" : " (\(contact))")"
        )
    }
    if let client = card.client {
        let pinned = client.tags.first(where: \.pinned)?.tag?.name
        let moved = card.resolvedFromClientID != 0 ? " (merged from \(card.resolvedFromClientID))" : ""
        lines.append(
            "client \(client.clientID)\(moved): \(client.displayName.isEmpty ? "(no name)" : client.displayName)\(pinned.map { " 📌\($0)" } ?? "")"
        )
        if let phone = card.shownPhone {
            lines.append("  phone: \(phone.number)\(card.otherPhoneCount > 0 ? " (+\(card.otherPhoneCount) more)" : "")")
        }
        if !client.email.isEmpty { lines.append("  email: \(client.email)") }
        if let address = client.address, !address.text.isEmpty || !address.city.isEmpty {
            lines.append("  address: \(address.text.isEmpty ? address.city : address.text)\(address.split ? " (split)" : "")")
        }
        if !client.tags.isEmpty {
            let more = Int(client.tagCount) - client.tags.count
            let names = client.tags.compactMap { $0.tag?.name }.joined(separator: ", ")
            lines.append("  tags: " + names + (more > 0 ? " (+\(more) more)" : ""))
        }
        for field in card.fields { lines.append("  \(field.pinned ? "📌" : "")\(field.definition?.name ?? "?"): \(field.displayValue)") }
    } else if card.canSaveClient {
        lines.append("no client yet: the panel offers \"Save client\"")
    }
    for duplicate in card.duplicates { lines.append("  possible duplicate: " + describe(duplicate)) }
    return lines.joined(separator: "\n")
}

/// One client in a list: `#42 Петров Иван · +7 912 345-67-89 · ivan@mail.ru · 📌VIP`.
private func describe(_ client: ClientsV1.ClientSummary) -> String {
    (["#\(client.clientID) \(client.displayName)", client.firstPhone, client.email] + [client.pinnedTag.map { "📌" + $0.name } ?? ""])
        .filter { !$0.isEmpty }.joined(separator: " · ")
}

/// A tag: `#7 VIP #e53935 (120 clients)`.
private func describe(_ tag: ClientsV1.Tag) -> String {
    "#\(tag.tagID) \(tag.name) \(tag.color) (\(tag.clientCount) clients)\(tag.deleting ? " [being deleted]" : "")"
}

/// A duplicate with what it shares.
private func describe(_ duplicate: ClientsV1.Duplicate) -> String {
    let reasons = duplicate.reasons.map { "\($0.kind == .phone ? "phone" : "email") \($0.value)" }.joined(separator: ", ")
    return (duplicate.client.map(describe) ?? "?") + " (same \(reasons))"
}

/// A tag job's progress.
private func describe(_ job: ClientsV1.TagJob) -> String {
    let action = job.spec?.action.protoName.replacingOccurrences(of: "TAG_JOB_ACTION_", with: "").lowercased() ?? "?"
    let state = job.state.protoName.replacingOccurrences(of: "TAG_JOB_STATE_", with: "").lowercased()
    var text = "tag job #\(job.jobID): \(action) \"\(job.tagName)\" — \(state), \(job.clientsDone)/\(job.clientsTotal) clients"
    if job.finishedAtMs > 0, job.startedAtMs > 0 { text += ", \(job.finishedAtMs - job.startedAtMs) ms" }
    if !job.error.isEmpty { text += " (\(job.error))" }
    return text
}
