import CStemmer

/// A Snowball stemmer of one language from Debian's libstemmer (`libstemmer-dev`).
///
/// A stemmer keeps state between calls, so it is not shared: each ``CatalogTokenizer`` owns
/// its own, and SQLite uses a tokenizer from one connection, one thread at a time.
final class SnowballStemmer {
    private let stemmer: OpaquePointer

    /// The stemmer of `algorithm` ("russian", "english") over UTF-8; nil when libstemmer has none.
    init?(algorithm: String) {
        guard let stemmer = sb_stemmer_new(algorithm, "UTF_8") else { return nil }
        self.stemmer = stemmer
    }

    deinit { sb_stemmer_delete(stemmer) }

    /// The stem of a lowercase word ("кофеварки" → "кофеварк").
    func stem(_ word: String) -> String {
        var word = word
        return word.withUTF8 { bytes in
            guard let base = bytes.baseAddress, let stem = sb_stemmer_stem(stemmer, base, Int32(bytes.count)) else {
                return String(decoding: bytes, as: UTF8.self)
            }
            let length = Int(sb_stemmer_length(stemmer))
            return String(decoding: UnsafeBufferPointer(start: stem, count: length), as: UTF8.self)
        }
    }
}
