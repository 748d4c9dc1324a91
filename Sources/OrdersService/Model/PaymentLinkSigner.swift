import ChatPanelProto
import Crypto
import Foundation

/// Payment links (ORDER-8): the configured URL with the order, payment, amount, currency and
/// expiry as query parameters and an HMAC-SHA256 signature over them, under the configured key.
///
/// The signed text is `order=<id>&payment=<id>&amount=<minor>&currency=<ISO>&expires=<ms>`, and
/// the signature its lowercase hex MAC: a shop's payment page checks a link with the same key.
struct PaymentLinkSigner {
    /// The link's base URL.
    let baseURL: String
    /// The HMAC key.
    let key: SymmetricKey

    /// The signer of `settings`, or nil when payment links are not configured.
    init?(_ settings: OrdersConfiguration) {
        guard let url = settings.paymentLinkURL, let key = settings.paymentLinkKey else { return nil }
        baseURL = url
        self.key = SymmetricKey(data: key)
    }

    /// What a link carries.
    struct Terms: Equatable {
        var orderID: Int64
        var paymentID: Int64
        var amountMinor: Int64
        var currency: String
        var expiresAtMs: Int64

        /// The signed text.
        var signedText: String {
            "order=\(orderID)&payment=\(paymentID)&amount=\(amountMinor)&currency=\(currency)&expires=\(expiresAtMs)"
        }
    }

    /// The link for `terms`: the same terms give the same link.
    func url(for terms: Terms) -> String {
        let separator = baseURL.contains("?") ? "&" : "?"
        return baseURL + separator + terms.signedText + "&signature=" + signature(terms.signedText)
    }

    /// The terms of `url` when it is, byte for byte, one of this signer's links with a valid
    /// signature (expired or not); a description of what is wrong otherwise.
    func verify(_ url: String) -> Result<Terms, Refusal> {
        guard url.hasPrefix(baseURL), let components = URLComponents(string: url), let items = components.queryItems else {
            return .failure(Refusal(description: "not a payment link of this shop"))
        }
        var values: [String: String] = [:]
        for item in items { values[item.name] = item.value ?? "" }
        guard let order = values["order"].flatMap(Int64.init), let payment = values["payment"].flatMap(Int64.init),
            let amount = values["amount"].flatMap(Int64.init), let currency = values["currency"],
            let expires = values["expires"].flatMap(Int64.init), let signature = values["signature"],
            let mac = Self.bytes(hex: signature)
        else { return .failure(Refusal(description: "the link lacks a part or has a malformed one")) }
        let terms = Terms(orderID: order, paymentID: payment, amountMinor: amount, currency: currency, expiresAtMs: expires)
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(terms.signedText.utf8), using: key) else {
            return .failure(Refusal(description: "the signature does not match: the link was altered or not made here"))
        }
        // Only the link as made, byte for byte: no part added, repeated, reordered or re-spelt.
        guard url == self.url(for: terms) else {
            return .failure(Refusal(description: "the link is not exactly as it was made: a part was added, repeated or changed"))
        }
        return .success(terms)
    }

    /// Why a link is refused.
    struct Refusal: Error {
        let description: String
    }

    private func signature(_ text: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)
        return mac.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
