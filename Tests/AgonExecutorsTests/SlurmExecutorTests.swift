import Foundation
import Testing
@testable import AgonExecutors

/// The sbatch script and the parsing of `scontrol show job -o`, against output captured from a
/// real Slurm 22.05 (scripts/slurm-single-node.sh): a 6-task array with task 2 exiting 1 and task 5 still running, a
/// 3-task array cancelled with scancel while pending/running, and a fresh pending array.
@Suite struct SlurmExecutorTests {
    static func fixture(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return try String(contentsOf: url, encoding: .utf8)
    }

    static let batch = JobBatch(runID: "20261130-134000-abcd", count: 4,
                                workerArguments: ["/opt/agon bin/agon", "worker", "--repo", "/srv/it's repo", "--job"],
                                environment: ["AGON_STORE": "/srv/store.sqlite", "A": "x y"],
                                workingDirectory: "/srv/repo", hardTimeoutSeconds: 1800)

    @Test func scriptIsOneArrayTaskPerCandidateWithTheTimeLimitAndQuotedWorker() {
        let executor = SlurmExecutor(settings: SlurmSettings(partition: "gpu", timeMarginSeconds: 90, extraOptions: ["--mem=4G"]),
                                     outputDirectory: "/srv/repo/.agon/runs/r/jobs")
        let expected = """
        #!/bin/sh
        #SBATCH --job-name=agon-20261130-134000-abcd
        #SBATCH --array=0-3
        #SBATCH --time=32
        #SBATCH --ntasks=1
        #SBATCH --output=/srv/repo/.agon/runs/r/jobs/slurm-%A_%a.out
        #SBATCH --partition=gpu
        #SBATCH --chdir=/srv/repo
        #SBATCH --mem=4G
        export A='x y'
        export AGON_STORE=/srv/store.sqlite
        exec '/opt/agon bin/agon' worker --repo '/srv/it'\\''s repo' --job 20261130-134000-abcd:"$SLURM_ARRAY_TASK_ID"

        """
        // 1800 s + 90 s margin = 31.5 min, rounded up.
        #expect(executor.script(Self.batch) == expected)
    }

    @Test func scriptRunsUnderTheShellAndHandsTheWorkerItsJob() throws {
        // The quoting is checked by a real shell: the worker's argv must arrive intact.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agon-slurm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let printer = directory.appendingPathComponent("printargs")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]\\n' \"$a\"; done\nprintf 'A=%s\\n' \"$A\"\n"
            .write(to: printer, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: printer.path)
        var batch = Self.batch
        batch.workerArguments = [printer.path, "worker", "--repo", "/srv/it's repo", "--job"]
        let executor = SlurmExecutor(settings: SlurmSettings(), outputDirectory: directory.path)
        let script = directory.appendingPathComponent("job.sh")
        try executor.script(batch).write(to: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [script.path]
        process.environment = ["SLURM_ARRAY_TASK_ID": "3", "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(output == "[worker]\n[--repo]\n[/srv/it's repo]\n[--job]\n[20261130-134000-abcd:3]\nA=x y\n")
    }

    @Test func timeLimitIsAtLeastOneMinute() {
        var batch = Self.batch
        batch.hardTimeoutSeconds = 0
        let script = SlurmExecutor(settings: SlurmSettings(timeMarginSeconds: 0), outputDirectory: "/o").script(batch)
        #expect(script.contains("#SBATCH --time=1\n"))
        #expect(!script.contains("--partition"))
    }

    @Test func parsesAnArrayWithFinishedFailedAndRunningTasks() throws {
        let states = SlurmJobParser.states(scontrol: try Self.fixture("scontrol-mixed.txt"))
        #expect(states.count == 6)
        #expect(states[0] == EngineJobStatus(state: .succeeded, node: "vm"))
        #expect(states[1] == EngineJobStatus(state: .succeeded, node: "vm"))
        #expect(states[2] == EngineJobStatus(state: .failed, node: "vm", reason: "FAILED, exit 1:0, NonZeroExitCode"))
        #expect(states[4]?.state == .succeeded)
        #expect(states[5] == EngineJobStatus(state: .running, node: "vm"))
    }

    @Test func parsesAPendingArrayAsOneRangeRecord() throws {
        let states = SlurmJobParser.states(scontrol: try Self.fixture("scontrol-pending.txt"))
        #expect(states.keys.sorted() == [0, 1, 2])
        #expect(states.values.allSatisfy { $0 == EngineJobStatus(state: .pending, node: nil) })
    }

    @Test func parsesCancelledTasks() throws {
        let states = SlurmJobParser.states(scontrol: try Self.fixture("scontrol-cancelled.txt"))
        #expect(states[0]?.state == .succeeded)
        #expect(states[1] == EngineJobStatus(state: .cancelled, node: "vm", reason: "CANCELLED, exit 0:15"))
        #expect(states[2]?.state == .cancelled)
    }

    @Test func expandsTaskRangesAndDropsTheThrottle() {
        #expect(SlurmJobParser.expand("1-3,7%2") == [1, 2, 3, 7])
        #expect(SlurmJobParser.expand("5") == [5])
        #expect(SlurmJobParser.expand("3-1") == [])
    }

    @Test func mapsSlurmStates() {
        #expect(SlurmJobParser.engineState("COMPLETING") == .running)
        #expect(SlurmJobParser.engineState("NODE_FAIL") == .failed)
        #expect(SlurmJobParser.engineState("TIMEOUT") == .failed)
        #expect(SlurmJobParser.engineState("CANCELLED+") == .cancelled)
        #expect(SlurmJobParser.engineState("REQUEUED") == .pending)
    }

    @Test func readsParsableJobIDs() {
        #expect(SlurmJobParser.parsableJobID("123\n") == "123")
        #expect(SlurmJobParser.parsableJobID("77;cluster\n") == "77")
        #expect(SlurmJobParser.parsableJobID("sbatch: error\n") == nil)
    }

    @Test func aMissingSbatchIsATypedErrorWithAHint() {
        let directory = NSTemporaryDirectory() + "agon-slurm-missing-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let executor = SlurmExecutor(settings: SlurmSettings(), outputDirectory: directory, commandEnvironment: ["PATH": "/nonexistent"])
        #expect(throws: SlurmError.commandMissing(command: "sbatch")) { try executor.submit(Self.batch) }
        #expect(SlurmError.commandMissing(command: "sbatch").description
            == "sbatch is not installed or not on PATH; install the Slurm client (Debian: slurm-client) or run with --executor local")
    }

    @Test func sbatchRejectionsKeepTheSpecificLine() {
        let detail = "sbatch: error: invalid partition specified: nope\nsbatch: error: Batch job submission failed: Invalid partition name specified\n"
        #expect(SlurmError.noPartition(partition: "nope", detail: detail).headline
            == "sbatch refused partition nope: sbatch: error: Batch job submission failed: Invalid partition name specified")
    }
}

/// The Slurm client commands' failures, with stand-in clients that print what the real ones print.
@Suite struct SlurmCommandFailureTests {
    /// A directory holding one fake client `name` running `body`.
    static func fakeClient(_ name: String, _ body: String) throws -> String {
        let directory = NSTemporaryDirectory() + "agon-fake-slurm-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "#!/bin/sh\n\(body)\n".write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory + "/" + name)
        return directory
    }

    @Test func anUnknownPartitionSaysWhichSettingToFix() throws {
        // Slurm 22.05's answer to `sbatch --partition=nope`, captured.
        let bin = try Self.fakeClient("sbatch", """
            echo 'sbatch: error: invalid partition specified: nope' >&2
            echo 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2
            exit 1
            """)
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let executor = SlurmExecutor(settings: SlurmSettings(partition: "nope"), outputDirectory: bin + "/out",
                                     commandEnvironment: ["PATH": bin + ":/usr/bin:/bin"])
        do {
            _ = try executor.submit(SlurmExecutorTests.batch)
            Issue.record("submit succeeded")
        } catch let error as SlurmError {
            guard case .noPartition(let partition, _) = error else { Issue.record("wrong error: \(error)"); return }
            #expect(partition == "nope")
            #expect(error.description.hasSuffix("; set executor.slurm.partition in agon.yml to one `sinfo` lists"))
        }
        // The script was written where the task outputs go.
        #expect(FileManager.default.fileExists(atPath: bin + "/out/slurm-job.sh"))
    }

    @Test func aRejectedSubmissionIsTyped() throws {
        let bin = try Self.fakeClient("sbatch", """
            echo 'sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)' >&2
            exit 1
            """)
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let executor = SlurmExecutor(settings: SlurmSettings(), outputDirectory: bin + "/out", commandEnvironment: ["PATH": bin])
        #expect(throws: SlurmError.rejected(detail: "sbatch: error: Batch job submission failed: Requested time limit is invalid (missing or exceeds some limit)\n")) {
            try executor.submit(SlurmExecutorTests.batch)
        }
    }

    @Test func aClientThatDoesNotAnswerIsStopped() throws {
        let bin = try Self.fakeClient("scontrol", "exec /bin/sleep 30")
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let start = Date()
        #expect(throws: SlurmError.commandFailed(command: "scontrol show job 5", detail: "no answer within 0 s")) {
            try SlurmCommand.run("scontrol", ["show", "job", "5"], environment: ["PATH": bin], timeout: 0.5)
        }
        #expect(Date().timeIntervalSince(start) < 20)
    }

    @Test func aForgottenJobHasNoStatesAndCancelIsIdempotent() throws {
        // What Slurm 22.05 prints for a purged job id, captured.
        let bin = try Self.fakeClient("scontrol", "echo 'slurm_load_jobs error: Invalid job id specified' >&2; exit 1")
        try "#!/bin/sh\necho 'scancel: error: Kill job error on job id 9999: Invalid job id specified' >&2; exit 1\n"
            .write(toFile: bin + "/scancel", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/scancel")
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let executor = SlurmExecutor(settings: SlurmSettings(), outputDirectory: bin, commandEnvironment: ["PATH": bin])
        #expect(try executor.states(SlurmExecutorTests.batch, handle: "9999").isEmpty)
        try executor.cancel(SlurmExecutorTests.batch, handle: "9999")
    }
}

/// `retry` resubmits one task, avoiding the node it died on only when there is another.
@Suite struct SlurmRetryTests {
    func retryArguments(nodes: [String], avoid: String?) throws -> String {
        let bin = try SlurmCommandFailureTests.fakeClient("sbatch", "echo \"$@\" > \"$(dirname \"$0\")/args\"; echo 42")
        defer { try? FileManager.default.removeItem(atPath: bin) }
        try "#!/bin/sh\nprintf '\(nodes.joined(separator: "\\n"))\\n'\n".write(toFile: bin + "/sinfo", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/sinfo")
        let executor = SlurmExecutor(settings: SlurmSettings(), outputDirectory: bin + "/out", commandEnvironment: ["PATH": bin + ":/usr/bin:/bin"])
        #expect(try executor.retry(SlurmExecutorTests.batch, index: 2, avoidNode: avoid) == "42")
        return try String(contentsOfFile: bin + "/args", encoding: .utf8)
    }

    @Test func excludesTheDeadNodeWhenAnotherExists() throws {
        let arguments = try retryArguments(nodes: ["n1", "n2"], avoid: "n1")
        #expect(arguments.hasPrefix("--parsable --array=2 --exclude=n1 "))
        #expect(arguments.hasSuffix("/out/slurm-job.sh\n"))
    }

    @Test func keepsTheOnlyNode() throws {
        // Excluding the only node would leave the retry pending for ever.
        let arguments = try retryArguments(nodes: ["n1", "n1"], avoid: "n1")
        #expect(arguments.hasPrefix("--parsable --array=2 /"))
    }
}
