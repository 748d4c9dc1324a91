public import ChatPanelRPC

/// An email address, lower-cased, checked for the shape mail systems accept:
/// `local@domain.tld`, a local part of at most 64 bytes of the usual characters without
/// leading, trailing or doubled dots, and a domain of at least two labels (letters of any
/// script, digits and inner hyphens; the last label not all digits). At most 254 bytes.
///
/// The local part is lower-cased too: strictly it is case-sensitive, but no mail system in
/// the CRM's market treats it so, and matching duplicates needs one spelling.
public enum EmailAddress {
    /// The longest address in bytes.
    public static let maxBytes = 254

    /// The normalized address, or why `raw` is not one.
    public static func normalize(_ raw: String) -> Result<String, ValidationFailure> {
        let value = raw.trimmingWhitespace().lowercased()
        if value.isEmpty { return .failure(ValidationFailure("must not be empty")) }
        if value.utf8.count > maxBytes { return .failure(ValidationFailure("must be at most \(maxBytes) bytes")) }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return .failure(ValidationFailure(parts.count < 2 ? "must contain an @" : "must contain only one @"))
        }
        let local = parts[0]
        let domain = parts[1]
        if local.isEmpty { return .failure(ValidationFailure("needs a name before the @")) }
        if local.utf8.count > 64 { return .failure(ValidationFailure("the part before the @ must be at most 64 bytes")) }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") {
            return .failure(ValidationFailure("the part before the @ must not start or end with a dot or have two in a row"))
        }
        for scalar in local.unicodeScalars where !isLocalScalar(scalar) {
            return .failure(ValidationFailure("the part before the @ must not contain \"\(scalar)\""))
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return .failure(ValidationFailure("needs a domain like example.com after the @")) }
        for label in labels {
            if label.isEmpty { return .failure(ValidationFailure("the domain must not have empty parts")) }
            if label.utf8.count > 63 { return .failure(ValidationFailure("each part of the domain must be at most 63 bytes")) }
            if label.hasPrefix("-") || label.hasSuffix("-") {
                return .failure(ValidationFailure("a part of the domain must not start or end with a hyphen"))
            }
            for scalar in label.unicodeScalars where !(scalar == "-" || scalar.properties.isAlphabetic || isDigit(scalar)) {
                return .failure(ValidationFailure("the domain must not contain \"\(scalar)\""))
            }
        }
        if labels.last!.unicodeScalars.allSatisfy(isDigit) {
            return .failure(ValidationFailure("the domain must end with a name, not a number"))
        }
        return .success(value)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private static func isLocalScalar(_ scalar: Unicode.Scalar) -> Bool {
        if ("a"..."z").contains(scalar) || isDigit(scalar) { return true }
        return "!#$%&'*+/=?^_`{|}~.-".unicodeScalars.contains(scalar)
    }
}
