import CGit2
import Foundation

extension GitRepository {
    /// The patch from commit `from` to commit `to`, as `git diff --no-renames --binary from to` prints it.
    public func diff(from: ObjectID, to: ObjectID) throws -> Patch {
        try withTreeDiff(from: from, to: to) { diff, operation in try renderPatch(diff, operation: operation) }
    }

    /// The patch from `from` to `to` when it is at most `maxBytes` long; otherwise only its size
    /// and stats (`patch` nil). Files are rendered one at a time, so an oversize diff is never
    /// held whole in memory.
    public func diff(from: ObjectID, to: ObjectID, maxBytes: Int) throws -> (patch: Patch?, bytes: Int, stats: DiffStats) {
        try withTreeDiff(from: from, to: to) { diff, operation in
            let rendered = try renderPatch(diff, operation: operation, limit: maxBytes)
            return (rendered.data.map { Patch(data: $0, stats: rendered.stats) }, rendered.bytes, rendered.stats)
        }
    }

    /// Runs `body` on the tree-to-tree diff of two commits (freed afterwards).
    private func withTreeDiff<T>(from: ObjectID, to: ObjectID, _ body: (OpaquePointer, String) throws -> T) throws -> T {
        let operation = "diff \(from.abbreviated())..\(to.abbreviated())"
        let oldTree = try tree(of: from, operation: operation)
        defer { git_tree_free(oldTree) }
        let newTree = try tree(of: to, operation: operation)
        defer { git_tree_free(newTree) }
        var opts = try Self.patchOptions(includeUntracked: false)
        var diff: OpaquePointer?
        try check(git_diff_tree_to_tree(&diff, handle, oldTree, newTree, &opts), operation)
        defer { git_diff_free(diff) }
        return try body(diff!, operation)
    }

    /// The patch from commit `from` to the current files of the worktree at `worktreePath`,
    /// untracked (non-ignored) files included, as if everything were staged.
    public func diff(from: ObjectID, toWorkdir worktreePath: String) throws -> Patch {
        let operation = "diff \(from.abbreviated())..workdir '\(worktreePath)'"
        let worktree = try GitRepository.open(worktreePath)
        let oldTree = try worktree.tree(of: from, operation: operation)
        defer { git_tree_free(oldTree) }
        var opts = try Self.patchOptions(includeUntracked: true)
        var diff: OpaquePointer?
        try check(git_diff_tree_to_workdir_with_index(&diff, worktree.handle, oldTree, &opts), operation)
        defer { git_diff_free(diff) }
        return try worktree.renderPatch(diff!, operation: operation)
    }

    /// Applies a patch (as produced by `diff`) to the working directory at `worktreePath`.
    /// With `check: true` nothing is written; the call only fails if the patch would not apply.
    public func apply(_ patch: Data, toWorktree worktreePath: String, check checkOnly: Bool = false) throws {
        let operation = checkOnly ? "check patch on '\(worktreePath)'" : "apply patch to '\(worktreePath)'"
        guard !patch.isEmpty else { return }
        let worktree = try GitRepository.open(worktreePath)
        let parsable = Data(GitPatchFormat.libgit2Parsable([UInt8](patch)))
        var diff: OpaquePointer?
        try parsable.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            let base = bytes.baseAddress!.assumingMemoryBound(to: CChar.self)
            try check(git_diff_from_buffer(&diff, base, bytes.count), operation)
        }
        defer { git_diff_free(diff) }
        var opts = git_apply_options()
        try check(git_apply_options_init(&opts, UInt32(GIT_APPLY_OPTIONS_VERSION)), operation)
        if checkOnly { opts.flags = UInt32(GIT_APPLY_CHECK.rawValue) }
        try check(git_apply(worktree.handle, diff, GIT_APPLY_LOCATION_WORKDIR, &opts), operation)
    }

    // MARK: Internals

    func tree(of commit: ObjectID, operation: String) throws -> OpaquePointer {
        var oid = commit.raw
        var commitObject: OpaquePointer?
        try check(git_commit_lookup(&commitObject, handle, &oid), operation)
        defer { git_commit_free(commitObject) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commitObject), operation)
        return tree!
    }

    private static func patchOptions(includeUntracked: Bool) throws -> git_diff_options {
        var opts = git_diff_options()
        try check(git_diff_options_init(&opts, UInt32(GIT_DIFF_OPTIONS_VERSION)), "diff options")
        var flags = GIT_DIFF_SHOW_BINARY.rawValue
        if includeUntracked {
            flags |= GIT_DIFF_INCLUDE_UNTRACKED.rawValue | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue
                | GIT_DIFF_SHOW_UNTRACKED_CONTENT.rawValue
        }
        opts.flags = flags
        // Full ids everywhere; text patches are re-abbreviated below exactly as git does.
        opts.id_abbrev = 40
        return opts
    }

    /// Prints every delta of `diff` exactly as `git diff --binary` would.
    func renderPatch(_ diff: OpaquePointer, operation: String) throws -> Patch {
        let rendered = try renderPatch(diff, operation: operation, limit: nil)
        return Patch(data: rendered.data ?? Data(), stats: rendered.stats)
    }

    /// As above; past `limit` bytes the text is dropped (`data` nil) and only counted.
    func renderPatch(_ diff: OpaquePointer, operation: String, limit: Int?) throws -> (data: Data?, bytes: Int, stats: DiffStats) {
        var output: Data? = Data()
        var bytes = 0
        var stats = DiffStats()
        var format: GitPatchFormat?
        for i in 0..<git_diff_num_deltas(diff) {
            var patch: OpaquePointer?
            try check(git_patch_from_diff(&patch, diff, i), operation)
            guard let patch else { continue }
            defer { git_patch_free(patch) }
            guard let delta = git_patch_get_delta(patch)?.pointee else { continue }
            var buf = git_buf()
            defer { git_buf_dispose(&buf) }
            try check(git_patch_to_buf(&buf, patch), operation)
            guard buf.size > 0, let ptr = buf.ptr else { continue }
            let printed = [UInt8](UnsafeRawBufferPointer(start: ptr, count: buf.size))
            if format == nil { format = try GitPatchFormat(repository: self) }
            let fileBytes = format!.gitBytes(for: printed, delta: delta)
            bytes += fileBytes.count
            if let limit, bytes > limit { output = nil } else { output?.append(contentsOf: fileBytes) }
            var context = 0, adds = 0, dels = 0
            try check(git_patch_line_stats(&context, &adds, &dels, patch), operation)
            stats.files += 1
            stats.insertions += adds
            stats.deletions += dels
            if let path = Self.deltaPath(delta) { stats.paths.append(path) }
        }
        return (output, bytes, stats)
    }

    /// Raw content of a blob, empty when the id is zero or unknown.
    func blobContent(_ oid: git_oid) -> [UInt8] {
        var id = oid
        guard git_oid_is_zero(&id) == 0 else { return [] }
        var blob: OpaquePointer?
        guard git_blob_lookup(&blob, handle, &id) == 0 else { return [] }
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let raw = git_blob_rawcontent(blob) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: raw, count: size))
    }
}

/// The differences between libgit2's patch text and git's, fixed per file.
final class GitPatchFormat {
    private let repository: GitRepository
    private let abbreviator: ObjectAbbreviator
    private let binary: BinaryPatchEncoder

    init(repository: GitRepository) throws {
        self.repository = repository
        abbreviator = try ObjectAbbreviator(repository: repository)
        binary = BinaryPatchEncoder(level: Self.compressionLevel(repository))
    }

    func gitBytes(for printed: [UInt8], delta: git_diff_delta) -> [UInt8] {
        if delta.flags & GIT_DIFF_FLAG_BINARY.rawValue != 0 {
            // git prints full ids for binary patches, as libgit2 does with id_abbrev 40.
            return binary.rewrite(printed, oldContent: repository.blobContent(delta.old_file.id)) ?? printed
        }
        return Self.tabAfterSpacedLabels(abbreviator.abbreviateIndexLine(in: printed, old: delta.old_file.id, new: delta.new_file.id))
    }

    /// git ends a `---`/`+++` line with a tab when its label contains a space (diff.c).
    static func tabAfterSpacedLabels(_ patch: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(patch.count + 2)
        var lineStart = 0
        var inHeader = true
        while lineStart < patch.count {
            let lineEnd = patch[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? patch.count
            let line = patch[lineStart..<lineEnd]
            out += line
            if inHeader {
                if line.starts(with: "@@".utf8) {
                    inHeader = false
                } else if (line.starts(with: "--- ".utf8) || line.starts(with: "+++ ".utf8)),
                          line.dropFirst(4).contains(UInt8(ascii: " ")) {
                    out.append(UInt8(ascii: "\t"))
                }
            }
            if lineEnd < patch.count { out.append(UInt8(ascii: "\n")) }
            lineStart = lineEnd + 1
        }
        return out
    }

    /// Rewrites git's headers for names with spaces into a form libgit2 1.5's parser accepts:
    /// it splits an unquoted `diff --git a/x y b/x y` at the first space and trips over the tab
    /// git appends to spaced `---`/`+++` labels, so quote the former and drop the latter.
    static func libgit2Parsable(_ patch: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(patch.count)
        var lineStart = 0
        var inHeader = false
        while lineStart < patch.count {
            let lineEnd = patch[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? patch.count
            var line = patch[lineStart..<lineEnd]
            if line.starts(with: "diff --git ".utf8) {
                inHeader = true
                line = quotedSpacedHeader(line)
            } else if line.starts(with: "@@".utf8) || line.starts(with: "GIT binary patch".utf8) {
                inHeader = false
            } else if inHeader, line.starts(with: "--- ".utf8) || line.starts(with: "+++ ".utf8), line.last == UInt8(ascii: "\t") {
                line = line.dropLast()
            }
            out += line
            if lineEnd < patch.count { out.append(UInt8(ascii: "\n")) }
            lineStart = lineEnd + 1
        }
        return out
    }

    /// `diff --git a/N b/N` with a space in N becomes `diff --git "a/N" "b/N"`.
    private static func quotedSpacedHeader(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let prefix = "diff --git ".utf8.count
        let names = Array(line.dropFirst(prefix))
        guard names.first != UInt8(ascii: "\""), names.count >= 5, (names.count - 1) % 2 == 0 else { return line }
        let half = (names.count - 1) / 2
        let left = names[..<half], right = names[(half + 1)...]
        guard names[half] == UInt8(ascii: " "), left.contains(UInt8(ascii: " ")),
              left.starts(with: "a/".utf8), right.starts(with: "b/".utf8),
              left.dropFirst(2).elementsEqual(right.dropFirst(2)) else { return line }
        let quote = UInt8(ascii: "\"")
        return ArraySlice(Array("diff --git ".utf8) + [quote] + left + [quote, UInt8(ascii: " "), quote] + right + [quote])
    }

    /// git deflates binary hunks at core.compression, default 1 (Z_BEST_SPEED).
    private static func compressionLevel(_ repository: GitRepository) -> Int32 {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, repository.handle) == 0 else { return 1 }
        defer { git_config_free(config) }
        var value: Int32 = 0
        guard git_config_get_int32(&value, config, "core.compression") == 0, (-1...9).contains(value) else { return 1 }
        return value
    }
}

/// Abbreviates object ids the way `git diff` does for `index` lines: core.abbrev, or "auto"
/// (7 digits, more once the packs hold ≥ 2^14 objects), extended until unique in the odb.
final class ObjectAbbreviator {
    private let odb: OpaquePointer
    let baseLength: Int

    init(repository: GitRepository) throws {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, repository.handle), "open object database")
        self.odb = odb!
        baseLength = Self.configuredLength(repository) ?? Self.autoLength(commonDir: repository.commonDir)
    }

    deinit { git_odb_free(odb) }

    func shortHex(_ oid: git_oid) -> String {
        let full = ObjectID(oid).hex
        if baseLength >= 40 { return full }
        var length = baseLength
        var target = oid
        while length < 40 {
            var found = git_oid()
            git_error_clear()
            let rc = git_odb_exists_prefix(&found, odb, &target, length)
            if rc == GIT_ENOTFOUND.rawValue { break }
            if rc == 0 && git_oid_equal(&found, &target) == 1 { break }
            length += 1
        }
        return String(full.prefix(length))
    }

    /// Rewrites `index <40>..<40>` in the header of one file's patch.
    func abbreviateIndexLine(in patch: [UInt8], old: git_oid, new: git_oid) -> [UInt8] {
        let data = Data(patch)
        let needle = Data("\nindex \(ObjectID(old).hex)..\(ObjectID(new).hex)".utf8)
        guard let range = data.range(of: needle) else { return patch }
        var result = data
        result.replaceSubrange(range, with: Data("\nindex \(shortHex(old))..\(shortHex(new))".utf8))
        return [UInt8](result)
    }

    private static func configuredLength(_ repository: GitRepository) -> Int? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, repository.handle) == 0 else { return nil }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, config, "core.abbrev") == 0, let value else { return nil }
        let text = String(cString: value).lowercased()
        if ["no", "false", "off"].contains(text) { return 40 }
        guard let n = Int(text) else { return nil }  // "auto" or junk: automatic
        return min(max(n, 4), 40)
    }

    /// git's auto length: ceil((msb(packed objects) + 1) / 2), at least 7 (loose objects not counted).
    static func autoLength(commonDir: String) -> Int {
        let packDir = commonDir + "/objects/pack"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: packDir)) ?? []
        var count: UInt64 = 0
        for name in names where name.hasSuffix(".idx") {
            let stem = String(name.dropLast(4))
            guard FileManager.default.fileExists(atPath: "\(packDir)/\(stem).pack") else { continue }
            count += packIndexObjectCount("\(packDir)/\(name)")
        }
        var bits = 0
        var n = count
        while n > 1 { n >>= 1; bits += 1 }  // msb(count) as git computes it
        let length = (bits + 1 + 1) / 2
        return max(7, length)
    }

    private static func packIndexObjectCount(_ path: String) -> UInt64 {
        guard let handle = FileHandle(forReadingAtPath: path) else { return 0 }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 8 + 256 * 4), head.count >= 256 * 4 else { return 0 }
        let bytes = [UInt8](head)
        let isV2 = bytes.count >= 8 && bytes[0] == 0xff && bytes[1] == 0x74 && bytes[2] == 0x4f && bytes[3] == 0x63
        let offset = isV2 ? 8 + 255 * 4 : 255 * 4
        guard bytes.count >= offset + 4 else { return 0 }
        return bytes[offset..<offset + 4].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}
