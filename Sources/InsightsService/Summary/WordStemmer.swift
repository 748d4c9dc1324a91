import CStemmer

/// Stems words with Debian's Snowball stemmers: Cyrillic words with the Russian one, others
/// with the English one. Stemmers keep state between calls: one instance serves one
/// summarization, on one thread.
final class WordStemmer {
    private let russian: OpaquePointer?
    private let english: OpaquePointer?

    init() {
        russian = sb_stemmer_new("russian", "UTF_8")
        english = sb_stemmer_new("english", "UTF_8")
    }

    deinit {
        if let russian { sb_stemmer_delete(russian) }
        if let english { sb_stemmer_delete(english) }
    }

    /// The stem of a lowercase word ("перезвоню" → "перезвон", "invoices" → "invoic").
    func stem(_ word: String) -> String {
        let isCyrillic = word.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) }
        guard let stemmer = isCyrillic ? russian : english else { return word }
        var word = word
        return word.withUTF8 { bytes in
            guard let base = bytes.baseAddress, let stem = sb_stemmer_stem(stemmer, base, Int32(bytes.count)) else {
                return String(decoding: bytes, as: UTF8.self)
            }
            return String(decoding: UnsafeBufferPointer(start: stem, count: Int(sb_stemmer_length(stemmer))), as: UTF8.self)
        }
    }
}
