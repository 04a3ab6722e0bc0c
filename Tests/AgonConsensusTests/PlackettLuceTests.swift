import Foundation
import Testing
@testable import AgonConsensus

private func expectClose(_ actual: [Double], _ expected: [Double], tolerance: Double, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    for (a, e) in zip(actual, expected) {
        #expect(abs(a - e) <= tolerance, "got \(actual), expected \(expected)", sourceLocation: sourceLocation)
    }
}

private let rankingData = [[0, 1, 2, 3], [1, 0, 2, 3], [0, 2, 1, 3], [3, 0, 1, 2], [2, 3, 0, 1]]
private let pairwiseData = [(0, 1), (0, 1), (1, 0), (1, 2), (2, 1), (0, 2), (2, 3), (3, 2), (1, 3), (3, 0)]
private let top1Data: [(Int, [Int])] = [(0, [1, 2, 3]), (1, [2, 3]), (2, [3]), (1, [0, 2, 3]), (0, [2, 3]), (3, [0, 1, 2])]

@Suite struct ChoixCompatibility {
    @Test func pairwiseMatchesChoix() throws {
        let fit = try PlackettLuce.mmPairwise(itemCount: 4, comparisons: pairwiseData)
        #expect(fit.converged)
        expectClose(fit.params, [0.3580591, 0.0538305, -0.3427162, -0.0691734], tolerance: 1e-6)
    }

    @Test func rankingsMatchChoixWithLogLikelihood() throws {
        let fit = try PlackettLuce.mmRankings(itemCount: 4, rankings: rankingData)
        #expect(fit.converged)
        expectClose(fit.params, [0.8714046, 0.0389432, -0.0868925, -0.8234553], tolerance: 1e-6)
        let data = try PLDataset(itemCount: 4, observations: rankingData.map { .ranking($0) })
        #expect(abs(PlackettLuce.logLikelihood(data, params: fit.params) - -14.1034176) < 1e-6)
    }

    @Test func top1MatchesChoix() throws {
        let fit = try PlackettLuce.mmTop1(itemCount: 4, choices: top1Data)
        #expect(fit.converged)
        expectClose(fit.params, [0.8491, 0.8491, -0.8491, -0.8491], tolerance: 1e-4)
    }

    // Reference values generated with choix 0.4.1 (pip install choix==0.4.1).
    @Test func priorMatchesChoix() throws {
        let rankings = try PlackettLuce.mmRankings(itemCount: 4, rankings: rankingData, options: PLOptions(alpha: 0.5))
        expectClose(rankings.params, [0.7159834226, 0.029628741, -0.0609734975, -0.684638666], tolerance: 1e-6)
        let pairwise = try PlackettLuce.mmPairwise(itemCount: 4, comparisons: [(0, 1), (0, 2), (1, 2)], options: PLOptions(alpha: 1))
        expectClose(pairwise.params, [0.560042185, 0.0420804618, -0.6952156918, 0.093093045], tolerance: 1e-6)
        let top1 = try PlackettLuce.mmTop1(itemCount: 4, choices: [(0, [1, 2, 3]), (1, [2, 3])], options: PLOptions(alpha: 0.3))
        expectClose(top1.params, [1.2935793313, 0.5463649354, -0.9199721334, -0.9199721334], tolerance: 1e-6)
        let partial = try PlackettLuce.mmRankings(itemCount: 5, rankings: [[0, 1, 2], [3, 4], [1, 2, 3, 4], [4, 0]], options: PLOptions(alpha: 0.1))
        expectClose(partial.params, [0.1648618119, 1.0063896149, -0.1065369502, -0.0851041405, -0.9796103361], tolerance: 1e-6)
    }

    @Test func acceleratedSolverReachesTheSameEstimate() throws {
        for alpha in [0.0, 0.5] {
            let mm = try PlackettLuce.mmRankings(itemCount: 4, rankings: rankingData, options: PLOptions(alpha: alpha))
            let fast = try PlackettLuce.mmRankings(itemCount: 4, rankings: rankingData, options: PLOptions(alpha: alpha, solver: .accelerated))
            #expect(fast.converged)
            #expect(fast.iterations < mm.iterations)
            expectClose(fast.params, mm.params, tolerance: 1e-6)
        }
    }

    @Test func weightsActLikeRepetition() throws {
        let repeated = try PlackettLuce.mmRankings(itemCount: 4, rankings: rankingData + [rankingData[3], rankingData[3]])
        let weighted = try PlackettLuce.mmRankings(itemCount: 4, rankings: rankingData, weights: [1, 1, 1, 3, 1])
        expectClose(weighted.params, repeated.params, tolerance: 1e-6)
    }

    @Test func initialParamsAreUsed() throws {
        let warm = try PlackettLuce.mmRankings(itemCount: 4, rankings: rankingData,
                                                options: PLOptions(initialParams: [0.87, 0.04, -0.09, -0.82]))
        let cold = try PlackettLuce.mmRankings(itemCount: 4, rankings: rankingData)
        #expect(warm.iterations < cold.iterations)
        expectClose(warm.params, cold.params, tolerance: 1e-6)
    }
}

@Suite struct SeparatedData {
    // Item 0 is first in every ranking: the MLE does not exist.
    let rankings = [[0, 1, 2], [0, 2, 1], [0, 1, 2]]

    @Test func withoutPriorStopsAndReportsNonConvergence() throws {
        let fit = try PlackettLuce.mmRankings(itemCount: 3, rankings: rankings, options: PLOptions(maxIterations: 500))
        #expect(fit.separated)
        #expect(!fit.converged)
        #expect(fit.iterations <= 500)
        #expect(fit.params.allSatisfy { $0.isFinite })
        #expect(fit.params[0] > fit.params[1] && fit.params[0] > fit.params[2])
    }

    @Test func itemThatNeverWinsStaysFinite() throws {
        let fit = try PlackettLuce.mmPairwise(itemCount: 3, comparisons: [(0, 1), (1, 0), (0, 2), (1, 2)], options: PLOptions(maxIterations: 200))
        #expect(fit.separated)
        #expect(!fit.converged)
        #expect(fit.params.allSatisfy { $0.isFinite })
        #expect(fit.params[2] < fit.params[0] && fit.params[2] < fit.params[1])
    }

    @Test func withPriorConverges() throws {
        for solver in [PLSolver.mm, .accelerated] {
            let fit = try PlackettLuce.mmRankings(itemCount: 3, rankings: rankings, options: PLOptions(alpha: 0.1, solver: solver))
            #expect(!fit.separated)
            #expect(fit.converged)
            #expect(fit.params[0] > fit.params[1])
        }
    }

    @Test func unobservedItemSitsAtZeroWithoutPrior() throws {
        let fit = try PlackettLuce.mmPairwise(itemCount: 4, comparisons: [(0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (0, 1)])
        #expect(fit.observed == [true, true, true, false])
        #expect(fit.params[3] == 0)
        let reduced = try PlackettLuce.mmPairwise(itemCount: 3, comparisons: [(0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (0, 1)])
        expectClose(Array(fit.params.prefix(3)), reduced.params, tolerance: 1e-6)
        #expect(fit.converged)
    }

    @Test func badInputIsRejectedWithAMessage() {
        #expect(throws: ConsensusInputError.self) { try PlackettLuce.mmRankings(itemCount: 3, rankings: [[0, 5]]) }
        #expect(throws: ConsensusInputError.self) { try PlackettLuce.mmRankings(itemCount: 3, rankings: [[0, 0]]) }
        #expect(throws: ConsensusInputError.self) { try PlackettLuce.mmPairwise(itemCount: 3, comparisons: [(0, 1)], weights: [-1]) }
    }

    @Test func ratingScaleIsEloLike() {
        #expect(PlackettLuce.rating(0) == 1500)
        #expect(abs(PlackettLuce.rating(log(10)) - 1900) < 1e-9)
    }
}
