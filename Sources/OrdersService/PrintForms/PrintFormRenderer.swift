import ChatPanelProto
import ChatPanelRPC
import ChatPanelSystem
import Foundation
import Mustache

/// Renders printed forms (ORDER-12): the form's Mustache template over ``PrintFormView``, made
/// into PDF by WeasyPrint run as a subprocess — at most ``PrintFormSettings/concurrency`` at
/// once, each killed after ``PrintFormSettings/timeoutSeconds`` — with the result kept per order
/// version and form (the newest ``PrintFormSettings/cacheEntries``).
actor PrintFormRenderer {
    private let settings: PrintFormSettings
    private let library: MustacheLibrary
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var cache: [Key: [UInt8]] = [:]
    private var cacheOrder: [Key] = []

    /// What a rendering is kept by.
    private struct Key: Hashable {
        var orderID: Int64
        var version: UInt64
        var form: String
    }

    /// A renderer of the built-in forms and the configured ones.
    init(_ settings: PrintFormSettings) {
        self.settings = settings
        var library = MustacheLibrary()
        for (name, text) in BuiltInPrintForms.templates.merging(settings.templates, uniquingKeysWith: { _, shop in shop }) {
            if let template = try? MustacheTemplate(string: text) { library.register(template, named: name) }
        }
        self.library = library
    }

    /// The form names, sorted.
    nonisolated var forms: [String] {
        Set(BuiltInPrintForms.templates.keys).union(settings.templates.keys).sorted()
    }

    /// The PDF of `form` for `order`.
    ///
    /// - Throws: NOT_FOUND for an unknown form; UNAVAILABLE when WeasyPrint fails or runs out
    ///   of time.
    func render(_ order: OrdersV1.Order, form: String) async throws -> OrdersV1.PrintedForm {
        guard let html = library.render(PrintFormView.make(order), withTemplate: form) else {
            throw RPCError.notFound("no printed form is named \(form) (there are \(forms.joined(separator: ", ")))")
        }
        let key = Key(orderID: order.orderID, version: order.version, form: form)
        var printed = OrdersV1.PrintedForm()
        printed.fileName = "\(form)-\(order.number).pdf"
        printed.mediaType = "application/pdf"
        printed.orderVersion = order.version
        if let kept = cache[key] {
            printed.content = kept
            return printed
        }
        while running >= settings.concurrency {
            await withCheckedContinuation { waiting.append($0) }
        }
        running += 1
        defer {
            running -= 1
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        let pdf = try await Self.runWeasyPrint(html: html, settings: settings)
        cache[key] = pdf
        cacheOrder.append(key)
        if cacheOrder.count > settings.cacheEntries { cache[cacheOrder.removeFirst()] = nil }
        printed.content = pdf
        return printed
    }

    /// Runs WeasyPrint on `html` in a temporary folder of its own and answers the PDF's bytes.
    private static func runWeasyPrint(html: String, settings: PrintFormSettings) async throws -> [UInt8] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chatpanel-print-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("form.html")
        let output = folder.appendingPathComponent("form.pdf")
        try Data(html.utf8).write(to: input)
        // Font and Python caches go to the temporary folder (a hardened unit has no home).
        let environment = ["HOME": folder.path, "XDG_CACHE_HOME": folder.path, "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"]
        let pid: Int32
        do {
            pid = try Subprocess.spawn(settings.weasyPrintPath, ["--quiet", input.path, output.path], environment: environment)
        } catch {
            throw RPCError.unavailable("printed forms are not available: \(settings.weasyPrintPath) could not be started (\(error))")
        }
        // Reaped here, polled: a rendering takes about a second. Killed when it runs out of time
        // or the call is cancelled.
        let deadline = ContinuousClock.now + .seconds(settings.timeoutSeconds)
        var ended = Subprocess.poll(pid)
        while ended == nil, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
            ended = Subprocess.poll(pid)
        }
        if ended == nil {
            kill(pid, SIGKILL)
            _ = Subprocess.wait(pid)
            try Task.checkCancellation()
        }
        let status: Int32?
        switch ended {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        case nil: status = nil
        }
        guard let status else {
            throw RPCError.unavailable("rendering the printed form took longer than \(settings.timeoutSeconds) s and was stopped")
        }
        guard status == 0, let pdf = try? Data(contentsOf: output), pdf.starts(with: Data("%PDF".utf8)) else {
            throw RPCError.unavailable("WeasyPrint could not render the printed form (exit status \(status))")
        }
        return [UInt8](pdf)
    }
}

/// How printed forms are made.
public struct PrintFormSettings: Sendable {
    /// The WeasyPrint executable. Default /usr/bin/weasyprint (Debian's `weasyprint`).
    public var weasyPrintPath: String
    /// How long one rendering may take before it is killed. Default 30 s.
    public var timeoutSeconds: Int64
    /// How many renderings may run at once (each takes about 70 MB). Default 2.
    public var concurrency: Int
    /// How many rendered forms are kept (per order version and form). Default 64.
    public var cacheEntries: Int
    /// The shop's forms by name (added, or replacing a built-in one), from `<name>.mustache` files.
    public var templates: [String: String]

    /// Settings; every member has its default unless given.
    public init(
        weasyPrintPath: String = "/usr/bin/weasyprint", timeoutSeconds: Int64 = 30, concurrency: Int = 2, cacheEntries: Int = 64,
        templates: [String: String] = [:]
    ) {
        self.weasyPrintPath = weasyPrintPath
        self.timeoutSeconds = timeoutSeconds
        self.concurrency = concurrency
        self.cacheEntries = cacheEntries
        self.templates = templates
    }

    /// The templates of the `<name>.mustache` files in `folder`.
    public static func templates(inFolder folder: String) throws -> [String: String] {
        var templates: [String: String] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".mustache") {
            templates[String(file.dropLast(".mustache".count))] = try String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8)
        }
        return templates
    }

    /// What is wrong with the settings (a template that does not parse, limits out of range).
    public var problems: [String] {
        var problems: [String] = []
        for (name, text) in templates.sorted(by: { $0.key < $1.key }) {
            do {
                _ = try MustacheTemplate(string: text)
            } catch {
                problems.append("printed form \(name): the template does not parse (\(error))")
            }
        }
        if timeoutSeconds <= 0 || concurrency <= 0 || cacheEntries < 0 {
            problems.append("printed forms: the timeout and the concurrency must be positive")
        }
        return problems
    }
}
