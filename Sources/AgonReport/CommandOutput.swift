import AgonCore
import Foundation

/// What a command prints: human text and the same result as JSON.
public struct CommandOutput {
    public var text: String
    public var json: String

    public init(text: String, json: String) {
        self.text = text.hasSuffix("\n") || text.isEmpty ? text : text + "\n"
        self.json = json.hasSuffix("\n") ? json : json + "\n"
    }

    /// Text plus a JSON document encoded from `value` with Agon's stable encoder.
    public init<T: Encodable>(text: String, value: T) {
        let data = (try? AgonJSON.encoder.encode(value)) ?? Data("{}".utf8)
        self.init(text: text, json: String(decoding: data, as: UTF8.self))
    }
}
