import ChatPanelProto
import ChatPanelRPC
import Foundation

extension InsightsV1.AppendMessagesRequest {
    /// Throws INVALID_ARGUMENT naming every bad field (`messages[3].text`); nothing is written
    /// then. `now` is the service's clock (UTC ms): a message sent later than
    /// ``InsightsLimits/clockSkewMs`` after it is refused.
    func validate(now: Int64) throws(RPCError) {
        var violations = FieldViolations()
        violations.check(!messages.isEmpty, field: "messages", "must have at least one message")
        violations.check(
            messages.count <= InsightsLimits.batchSize, field: "messages", "must have at most \(InsightsLimits.batchSize) messages")
        var seen: [String: Int] = [:]
        for (index, message) in messages.enumerated() {
            let path = "messages[\(index)]."
            violations.checkText(message.messageID, field: path + "message_id", InsightsLimits.externalID)
            if let first = seen.updateValue(index, forKey: message.messageID), !message.messageID.isEmpty {
                violations.add(field: path + "message_id", "repeats messages[\(first)].message_id")
            }
            violations.checkText(message.dialogID, field: path + "dialog_id", InsightsLimits.externalID)
            switch message.direction {
            case .in, .out: break
            default: violations.add(field: path + "direction", "must be DIRECTION_IN or DIRECTION_OUT")
            }
            violations.add(field: path + "author", InsightsLimits.author.clean(message.author).failure)
            violations.checkText(message.text, field: path + "text", InsightsLimits.messageText)
            violations.checkTime(message.sentAtMs, field: path + "sent_at_ms", now: now)
        }
        try violations.throwIfAny()
    }
}

extension InsightsV1.RecordPageViewsRequest {
    /// Throws INVALID_ARGUMENT naming every bad field (`views[0].url`); nothing is written then.
    /// `now` is the service's clock (UTC ms): a view later than ``InsightsLimits/clockSkewMs``
    /// after it is refused.
    func validate(now: Int64) throws(RPCError) {
        var violations = FieldViolations()
        violations.check(!views.isEmpty, field: "views", "must have at least one page view")
        violations.check(views.count <= InsightsLimits.batchSize, field: "views", "must have at most \(InsightsLimits.batchSize) page views")
        var seen: [String: Int] = [:]
        for (index, view) in views.enumerated() {
            let path = "views[\(index)]."
            violations.checkText(view.viewID, field: path + "view_id", InsightsLimits.externalID)
            if let first = seen.updateValue(index, forKey: view.viewID), !view.viewID.isEmpty {
                violations.add(field: path + "view_id", "repeats views[\(first)].view_id")
            }
            violations.checkText(view.visitorID, field: path + "visitor_id", InsightsLimits.externalID)
            violations.checkText(view.dialogID, field: path + "dialog_id", InsightsLimits.optionalDialogID)
            violations.check(view.clientID >= 0, field: path + "client_id", "must be a positive id, or 0 when unknown")
            if let failure = InsightsLimits.url.check(view.url) {
                violations.add(field: path + "url", failure.description)
            } else if !Self.isWebAddress(view.url) {
                violations.add(field: path + "url", "must be an http or https address")
            }
            if let failure = InsightsLimits.url.check(view.referrer) {
                violations.add(field: path + "referrer", failure.description)
            } else if !view.referrer.isEmpty, !Self.isWebAddress(view.referrer) {
                violations.add(field: path + "referrer", "must be an http or https address, or empty")
            }
            violations.checkText(view.title, field: path + "title", InsightsLimits.title)
            violations.checkText(view.userAgent, field: path + "user_agent", InsightsLimits.userAgent)
            violations.checkText(view.language, field: path + "language", InsightsLimits.language)
            if let failure = InsightsLimits.ip.check(view.ip) {
                violations.add(field: path + "ip", failure.description)
            } else if !view.ip.isEmpty, IPAddress(view.ip) == nil {
                violations.add(field: path + "ip", "must be an IPv4 or IPv6 address")
            }
            violations.checkTime(view.viewedAtMs, field: path + "viewed_at_ms", now: now)
        }
        try violations.throwIfAny()
    }

    /// Whether `text` is an absolute http(s) address with a host.
    static func isWebAddress(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return false }
        return true
    }
}

extension FieldViolations {
    /// A feed item's time (UTC ms): positive, and no more than ``InsightsLimits/clockSkewMs``
    /// after `now`, the service's clock (a sender's clock may run a little ahead; a time further
    /// on is a wrong clock or unit, and would stay the newest view or message for good).
    mutating func checkTime(_ time: Int64, field: String, now: Int64) {
        if time <= 0 {
            add(field: field, "must be a positive time")
        } else if time > now + InsightsLimits.clockSkewMs {
            add(field: field, "must be at most 1 hour after the service's clock (\(now) ms); got \(time) ms")
        }
    }
}

extension Result where Failure == ValidationFailure {
    /// The failure, or nil on success.
    var failure: ValidationFailure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
