import AgonCore
import Foundation

// Follow-up columns of the leaderboard (definitions also in the README's leaderboard section):
// - A candidate's *attempts* are its run's own invocation (attempt 1) and each `agon followup`.
//   Every other leaderboard column reads attempt 1 only (first-attempt meaning, unchanged).
// - *Success within k follow-ups*: the share of the agent's runs that succeeded at attempt ≤ 1 + k
//   (k = `--followups`, default 1). With k = 0 it is the success rate.
// - *Mean reprompts per success*: over runs that succeeded at any attempt, the mean number of
//   follow-ups before the success (attempt − 1); null without a success.
// - *Cost per success including follow-ups*: over runs whose every attempt is priced, the cost of
//   all attempts / the runs among them that succeeded at any attempt (∞ with no success).

/// One candidate's attempts as the leaderboard reads them (store columns `attempts`,
/// `success_attempt` and `cost_usd`, which sums every attempt).
public struct AttemptSummary: Equatable, Sendable {
    /// Attempts made: 1 without follow-ups.
    public var count: Int
    /// The first attempt after which the candidate succeeded (`CandidateRules.succeeded`); nil when none did.
    public var successAttempt: Int?
    /// The cost of all attempts; nil when any of them is unpriced.
    public var totalCostUSD: Double?

    public init(count: Int = 1, successAttempt: Int? = nil, totalCostUSD: Double? = nil) {
        self.count = count
        self.successAttempt = successAttempt
        self.totalCostUSD = totalCostUSD
    }

    /// The attempts of a full record.
    public init(_ c: CandidateRecord) {
        self.init(count: c.attemptHistory.count, successAttempt: c.successAttempt,
                  totalCostUSD: c.costSource == .unpriced ? nil : c.costUSD)
    }
}

/// The follow-up columns of one leaderboard row.
public struct AttemptStanding: Equatable, Sendable {
    /// k: follow-ups allowed by `successWithinK`.
    public var followUpWindow: Int
    /// Runs that had at least one follow-up.
    public var followedUpRuns: Int
    /// Runs that succeeded at any attempt.
    public var successesAnyAttempt: Int
    public var successesWithinK: Int
    /// Share of runs that succeeded at attempt ≤ 1 + k (nil without runs).
    public var successWithinK: Double?
    public var meanRepromptsPerSuccess: Double?
    public var costPerSuccessWithFollowUps: CostPerSuccess

    public init(followUpWindow: Int, followedUpRuns: Int, successesAnyAttempt: Int, successesWithinK: Int,
                successWithinK: Double?, meanRepromptsPerSuccess: Double?, costPerSuccessWithFollowUps: CostPerSuccess) {
        self.followUpWindow = followUpWindow
        self.followedUpRuns = followedUpRuns
        self.successesAnyAttempt = successesAnyAttempt
        self.successesWithinK = successesWithinK
        self.successWithinK = successWithinK
        self.meanRepromptsPerSuccess = meanRepromptsPerSuccess
        self.costPerSuccessWithFollowUps = costPerSuccessWithFollowUps
    }
}

/// Running totals of the follow-up columns for one row.
struct AttemptTally: Equatable, Sendable {
    var runs = 0
    var followedUp = 0
    var successes = 0
    var successesWithinK = 0
    var reprompts = 0
    var pricedRuns = 0
    var pricedCost = 0.0
    var pricedSuccesses = 0

    mutating func add(_ attempts: AttemptSummary, window k: Int) {
        runs += 1
        if attempts.count > 1 { followedUp += 1 }
        if let at = attempts.successAttempt {
            successes += 1
            reprompts += at - 1
            if at <= 1 + k { successesWithinK += 1 }
        }
        if let cost = attempts.totalCostUSD, cost.isFinite {
            pricedRuns += 1
            pricedCost += cost
            if attempts.successAttempt != nil { pricedSuccesses += 1 }
        }
    }

    func standing(window k: Int) -> AttemptStanding {
        let costPerSuccess: CostPerSuccess = pricedRuns == 0 ? .unpriced
            : pricedSuccesses == 0 ? .noSuccess : .usd(pricedCost / Double(pricedSuccesses))
        return AttemptStanding(followUpWindow: k, followedUpRuns: followedUp, successesAnyAttempt: successes,
                               successesWithinK: successesWithinK,
                               successWithinK: runs > 0 ? Double(successesWithinK) / Double(runs) : nil,
                               meanRepromptsPerSuccess: successes > 0 ? Double(reprompts) / Double(successes) : nil,
                               costPerSuccessWithFollowUps: costPerSuccess)
    }
}
