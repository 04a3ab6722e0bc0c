import AgonExecutors

/// The Kubernetes engine's errors print as one `agon: …` line: bad settings are usage errors
/// (exit 2), everything the cluster answered is a failure of the work (exit 1).
extension KubernetesError: HintedFailure {
    public var exitCode: Int32 {
        switch self {
        case .badSetting, .noCredentials, .badKubeconfig, .unsupportedAuth, .unreadableToken: return 2
        case .unreachable, .untrustedServer, .api, .malformedReply, .badHandle, .noHTTPClient: return 1
        }
    }
}
