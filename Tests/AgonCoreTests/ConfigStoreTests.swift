import Foundation
import Testing
@testable import AgonCore

/// agon.yml's `store:` and `artifact_root:` (issue 15).
@Suite struct ConfigStoreTests {
    @Test func storeAndArtifactRootAreRead() throws {
        let config = try Config.parse(yaml: """
            store: postgres://agon@db.internal/agon
            artifact_root: /mnt/team/agon
            """)
        #expect(config.store == "postgres://agon@db.internal/agon")
        #expect(config.artifactRoot == "/mnt/team/agon")
        let plain = try Config.parse(yaml: "agents: {}")
        #expect(plain.store == nil && plain.artifactRoot == nil)
    }

    @Test func emptyArtifactRootIsRefused() {
        #expect(throws: AgonInputError.self) { try Config.parse(yaml: "artifact_root: \"\"") }
        #expect(throws: AgonInputError.self) { try Config.parse(yaml: "store: [a]") }
    }
}
