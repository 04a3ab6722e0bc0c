import AgonCore
import Foundation

/// Labels shown to verifiers: "A" … "Z", then "AA", "AB", … (bijective base 26, like spreadsheet columns).
public enum CandidateLabel {
    /// The bare label for a zero-based position ("A" for 0, "AA" for 26).
    public static func label(at index: Int) -> String {
        precondition(index >= 0, "label index must not be negative")
        var n = index + 1
        var scalars: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            scalars.append(Character(UnicodeScalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(scalars.reversed())
    }

    /// The display form used in packets: "Candidate A".
    public static func display(_ label: String) -> String { "Candidate \(label)" }

    /// Accepts "B", "b", "Candidate B", " candidate  b " and returns "B"; nil for anything else.
    public static func normalize(_ text: String) -> String? {
        var t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.lowercased().hasPrefix("candidate") {
            t = String(t.dropFirst("candidate".count)).trimmingCharacters(in: .whitespaces)
        }
        let upper = t.uppercased()
        guard !upper.isEmpty, upper.unicodeScalars.allSatisfy({ $0.value >= 65 && $0.value <= 90 }) else { return nil }
        return upper
    }
}

/// One verifier's private blinding: which label stands for which candidate, and in what order they are shown.
///
/// Labels are the bare form ("A", "B", …); label `i` is the `i`-th candidate shown (`displayOrder[i]`).
public struct BlindingKey: Codable, Equatable, Sendable {
    public var verifierID: String
    public var seed: UInt64
    public var labelToCandidate: [String: CandidateID]
    public var displayOrder: [CandidateID]

    public init(verifierID: String, seed: UInt64, labelToCandidate: [String: CandidateID], displayOrder: [CandidateID]) {
        self.verifierID = verifierID
        self.seed = seed
        self.labelToCandidate = labelToCandidate
        self.displayOrder = displayOrder
    }

    /// Labels in display order ("A", "B", …).
    public var labels: [String] { displayOrder.indices.map(CandidateLabel.label(at:)) }

    /// The label a candidate carries for this verifier.
    public func label(for candidate: CandidateID) -> String? {
        displayOrder.firstIndex(of: candidate).map(CandidateLabel.label(at:))
    }

    enum CodingKeys: String, CodingKey {
        case verifierID = "verifier_id", seed, labelToCandidate = "label_to_candidate", displayOrder = "display_order"
    }
}

/// Draws each verifier's random (but reproducible) candidate order.
public enum Blinder {
    /// Seed for a verifier: FNV-1a of run id and verifier id, separated by a NUL so ("ab","c") ≠ ("a","bc").
    public static func seed(runID: String, verifierID: String) -> UInt64 {
        FNV1a.hash64(runID + "\u{0}" + verifierID)
    }

    /// The blinding key for one verifier. The result depends only on the seed and the *set* of
    /// candidate ids (they are sorted first), not on the order the caller lists them in.
    public static func key(verifierID: String, seed: UInt64, candidates: [CandidateID]) -> BlindingKey {
        var seen = Set<CandidateID>()
        let unique = candidates.sorted().filter { seen.insert($0).inserted }
        var rng = SplitMix64(seed: seed)
        let order = rng.shuffle(unique)
        var map: [String: CandidateID] = [:]
        for (i, id) in order.enumerated() { map[CandidateLabel.label(at: i)] = id }
        return BlindingKey(verifierID: verifierID, seed: seed, labelToCandidate: map, displayOrder: order)
    }

    /// Convenience: seed from run and verifier ids, then draw the key.
    public static func key(runID: String, verifierID: String, candidates: [CandidateID]) -> BlindingKey {
        key(verifierID: verifierID, seed: seed(runID: runID, verifierID: verifierID), candidates: candidates)
    }
}
